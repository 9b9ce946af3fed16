"""`/healthz`: answers 200 only when the database answers."""

from __future__ import annotations

import logging

from litestar import get
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from reporting_api.api.schemas import Health
from reporting_api.services import health

log = logging.getLogger(__name__)


@get("/healthz", exclude_from_auth=True, tags=["health"], cache=False)
async def healthz() -> Response[Health]:
    problem = await health.database_problem()
    if problem is not None:
        log.warning("health check failed: %s", problem)
        return Response(
            Health(status="unavailable", database=problem), status_code=HTTP_503_SERVICE_UNAVAILABLE
        )
    return Response(Health(status="ok", database="ok"), status_code=HTTP_200_OK)
