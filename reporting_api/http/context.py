"""Dependencies every controller may ask for: the request's `Ctx`, paging, path ids."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from reporting_api.access import Principal
from reporting_api.runtime import Runtime
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings


def client_address(request: Any) -> str | None:
    """The client's address as the server saw it (the proxy's `FORWARDED_ALLOW_IPS` decides
    whether a forwarded address is believed)."""
    return request.client.host if request.client else None


def runtime_of(connection: Any) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def now_of(connection: Any) -> datetime:
    """Now, by the app's clock."""
    return runtime_of(connection).clock()


async def provide_ctx(request: Request[Principal, Any, Any]) -> Ctx:
    settings: Settings = request.app.state.settings
    return Ctx(
        principal=request.user,
        client_address=client_address(request),
        now=now_of(request),
        settings=settings,
        runtime=runtime_of(request),
    )


class Paging:
    """`page` (from 1) and `page_size` (1 to 100) query parameters."""

    def __init__(self, page: int, page_size: int) -> None:
        self.page = page
        self.page_size = page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def pages(self, total: int) -> int:
        """How many pages ``total`` rows fill (at least one, so "page 1 of 1" reads right)."""
        return max(1, -(-total // self.page_size))


async def provide_paging(
    page: Annotated[int, QueryParameter(ge=1, le=100_000, description="Page number, from 1")] = 1,
    page_size: Annotated[
        int, QueryParameter(ge=1, le=100, description="Rows a page, 1 to 100")
    ] = 20,
) -> Paging:
    return Paging(page, page_size)


CtxDep = NamedDependency[Ctx]
PagingDep = NamedDependency[Paging]

# Row ids fit PostgreSQL's integer; a larger number in a path is refused with 400.
PathId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
