"""`/metrics`: the Prometheus scrape, answered only to the addresses in `METRICS_ALLOW`
(others get 403 naming `client_address`, in English and Thai); see docs/operations.md."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from reporting_api import metrics
from reporting_api.http.context import client_address, now_of
from reporting_api.services import metrics_snapshot
from reporting_api.settings import Settings


@get("/metrics", exclude_from_auth=True, include_in_schema=False, cache=False)
async def prometheus_metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    text = await metrics_snapshot.scrape(settings, client_address(request), now_of(request))
    return Response(text, media_type=metrics.CONTENT_TYPE)
