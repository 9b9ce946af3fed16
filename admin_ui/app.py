"""The admin router: pages, their shared guard (CSRF), error pages and static files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.di import Provide
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from admin_ui.auth import LoginController
from admin_ui.web import CsrfRefused, csrf_guard, language, render
from reporting_api.errors import Forbidden, NotFound, ServiceError
from reporting_api.http.context import provide_ctx, provide_paging
from reporting_api.http.errors import status_of
from reporting_api.http.routers import FreshRouter

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class AdminParts:
    """What the admin UI adds to the service's app."""

    routes: list[ControllerRouterHandler] = field(default_factory=list)
    template_dirs: list[Path] = field(default_factory=list)


def _not_logged_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    target = quote(str(request.url.path))
    if request.headers.get("hx-request"):
        # HTMX follows this header with a full page load instead of swapping a fragment.
        return Response("", status_code=401, headers={"HX-Redirect": f"/admin/login?next={target}"})
    return Redirect(f"/admin/login?next={target}", status_code=303)


def _forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException | Forbidden) -> Any:
    key = "csrf_failed" if isinstance(exc, CsrfRefused) else "forbidden"
    return render(request, "admin/error.html", status_code=403, message_key=key)


def _not_found(request: Request[Any, Any, Any], _: NotFoundException | NotFound) -> Any:
    return render(request, "admin/error.html", status_code=404, message_key="not_found")


def _refused(request: Request[Any, Any, Any], exc: ServiceError) -> Any:
    """Any other refusal a page did not show beside its form (a hand-typed address with a
    filter that does not exist, say): the error page with the service's reason."""
    reason = exc.reason_th if language(request) == "th" else exc.reason
    return render(
        request, "admin/error.html", status_code=status_of(exc), message_key=None, reason=reason
    )


def page_handlers() -> list[ControllerRouterHandler]:
    """Every page controller (imported here so that adding a page is one line)."""
    from admin_ui.pages import PAGES

    return [LoginController, *PAGES]


def admin_parts() -> AdminParts:
    router = FreshRouter(
        path="/",
        route_handlers=page_handlers(),
        guards=[csrf_guard],
        dependencies={"ctx": Provide(provide_ctx), "paging": Provide(provide_paging)},
        exception_handlers={
            NotAuthorizedException: _not_logged_in,
            PermissionDeniedException: _forbidden,
            Forbidden: _forbidden,
            NotFoundException: _not_found,
            NotFound: _not_found,
            ServiceError: _refused,
        },
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/admin/static",
        directories=[STATIC_DIR],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        send_as_attachment=False,
        router_class=FreshRouter,
    )
    return AdminParts(routes=[router, static], template_dirs=[TEMPLATE_DIR])
