"""`/healthz`: answers 200 only when the database answers."""

from __future__ import annotations

import logging

from litestar import get
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from reporting_api import store
from reporting_api.api.schemas import Health

log = logging.getLogger(__name__)


@get("/healthz", exclude_from_auth=True, tags=["health"], cache=False)
async def healthz() -> Response[Health]:
    try:
        await store.ping()
    except Exception as error:  # any failure to reach the database means unhealthy
        log.warning("health check failed: %s", error)
        return Response(
            Health(status="unavailable", database=type(error).__name__),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response(Health(status="ok", database="ok"), status_code=HTTP_200_OK)
