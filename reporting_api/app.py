"""`create_app()`: the Litestar application with the JSON API under /api/v1."""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from litestar import Litestar, Router
from litestar._openapi.plugin import OpenAPIPlugin  # where Litestar 2 keeps it
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from swagger_ui_bundle import swagger_ui_path

from reporting_api.api.audit import AuditController
from reporting_api.api.auth import AuthController, StaffSignInController
from reporting_api.api.cases import CaseController
from reporting_api.api.checkin_link import CheckInLinkController
from reporting_api.api.checkins import CheckInController, OfficeDayController
from reporting_api.api.defendants import DefendantController
from reporting_api.api.flags import FlagController
from reporting_api.api.health import healthz
from reporting_api.api.hearings import CaseHearingController, HearingController
from reporting_api.api.holidays import HolidayController
from reporting_api.api.line_link import LineLinkController
from reporting_api.api.line_webhook import LineWebhookController
from reporting_api.api.metrics import prometheus_metrics
from reporting_api.api.notes import NoteController, PersonNoteController
from reporting_api.api.offices import OfficeController, StaffController
from reporting_api.api.openapi_bodies import describe_bodies
from reporting_api.api.openapi_errors import document_errors
from reporting_api.api.person_contact import PersonContactController
from reporting_api.api.person_requests import PersonRequestController
from reporting_api.api.person_uploads import PersonUploadController
from reporting_api.api.reminders import OfficeReminderSettingsController, ReminderController
from reporting_api.api.requests import RequestController
from reporting_api.api.review import CheckInReviewController, VerificationAttemptController
from reporting_api.api.twilio_status import TwilioStatusController
from reporting_api.checkin_page import STATIC_DIR, TEMPLATE_DIR
from reporting_api.clock import Clock, utcnow
from reporting_api.db import bind_tables, close_pool, engine_from_url, open_pool
from reporting_api.http import api_docs
from reporting_api.http.context import provide_ctx, provide_paging
from reporting_api.http.csrf import ApiCsrfMiddleware
from reporting_api.http.errors import EXCEPTION_HANDLERS
from reporting_api.http.options_allow import true_allow
from reporting_api.http.routers import FreshRouter
from reporting_api.http.security_headers import security_headers
from reporting_api.http.sessions import TokenAuthMiddleware
from reporting_api.i18n import add_i18n_extension
from reporting_api.runtime import Runtime, Verifier
from reporting_api.services import attempts
from reporting_api.services.line_webhook import LineApi
from reporting_api.settings import Settings

log = logging.getLogger(__name__)

LifespanHook = Callable[[], Awaitable[None]]

# Room for the form around the largest photo; larger bodies get 413 unparsed.
FORM_OVERHEAD_BYTES = 2 * 1024 * 1024


def api_router() -> Router:
    return FreshRouter(
        path="/api/v1",
        route_handlers=[
            AuthController,
            OfficeController,
            StaffController,
            StaffSignInController,
            DefendantController,
            CaseController,
            OfficeDayController,
            CheckInController,
            FlagController,
            AuditController,
            ReminderController,
            OfficeReminderSettingsController,
            VerificationAttemptController,
            CheckInReviewController,
            HolidayController,
            CaseHearingController,
            HearingController,
            PersonNoteController,
            NoteController,
            RequestController,
        ],
        dependencies={"ctx": Provide(provide_ctx), "paging": Provide(provide_paging)},
        # State-changing calls with the session cookie: same origin, the route's body type.
        middleware=[ApiCsrfMiddleware()],
    )


def create_app(
    settings: Settings | None = None,
    *,
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    challenge_rng: random.Random | None = None,
    verifier: Verifier | None = None,
    clock: Clock = utcnow,
    extra_routes: Sequence[ControllerRouterHandler] = (),
    template_dirs: Sequence[Path] = (),
    line_api: LineApi | None = None,
) -> Litestar:
    """The API. ``on_startup``/``on_shutdown`` run after the database pool opens and before it
    closes: `reporting_api.cli.build_app` adds the scheduler (`scheduler.runner.scheduler_hooks`)
    this way and the admin pages through ``extra_routes`` and ``template_dirs``, so this
    package imports neither. ``challenge_rng`` and ``verifier`` are for tests: a seeded
    challenge generator, and one verifier pool shared by many apps; ``clock`` is
    what every request takes as now (the wall clock unless a test fixes it). ``line_api``
    answers LINE's webhook events (`scheduler.line_sender.LineSender`, given by `build_app`
    when LINE is configured; None: events are taken in and acted on, nothing is answered)."""
    settings = settings or Settings.from_env()
    engine = engine_from_url(settings.database_url)
    bind_tables(engine)

    async def open_database() -> None:
        await open_pool(engine, settings.db_pool_size)

    async def close_database() -> None:
        await close_pool(engine, settings.db_pool_size)

    runtime = Runtime.from_settings(settings, challenge_rng, verifier, clock)

    async def start_recovery() -> None:
        # Attempts whose lease lapsed (their process died) or was handed back (a replica
        # stopping) are verified here. Each wait is drawn between half and one and a half
        # times RECOVER_EVERY_SECONDS, so replicas started together do not look all at once.
        every = settings.checkin.recover_every_seconds
        spread = random.Random()

        async def loop() -> None:
            while not runtime.stopping.is_set():
                try:
                    await attempts.recover(runtime, settings)
                except Exception:
                    log.exception("recovering unfinished verification attempts failed")
                if await runtime.pause(every * spread.uniform(0.5, 1.5)):
                    return

        runtime.spawn(loop(), lasting=True)

    async def stop_runtime() -> None:
        await attempts.shut_down(runtime, settings)

    auth = DefineMiddleware(
        TokenAuthMiddleware,
        # Twilio and LINE authenticate their callbacks with a signature, checked by the route.
        # /c/<code>: the SMS link, opened by the person, authorised by its random code.
        exclude=["^/schema", "^/static/", "^/healthz$", "^/twilio/", "^/line/", "^/c/"],
    )
    openapi = OpenAPIConfig(
        title="Bail check-in API",
        version="1.0.0",
        description="Justice Fund bail reporting: defendants, cases, plans, check-ins, flags.",
        path="/schema",
        render_plugins=[
            api_docs.SwaggerPage(
                spec_url="/schema/openapi.json",
                js_url="/static/swagger/swagger-ui-bundle.js",
                css_url="/static/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
                path="/swagger",
                favicon="<link rel='icon' type='image/png' href='/static/swagger/favicon-32x32.png'>",
            )
        ],
    )
    app = Litestar(
        route_handlers=[
            healthz,
            prometheus_metrics,
            TwilioStatusController,
            LineWebhookController,
            LineLinkController,
            CheckInLinkController,
            PersonRequestController,
            PersonUploadController,
            PersonContactController,
            create_static_files_router(
                path="/c/static",
                directories=[STATIC_DIR],
                opt={"exclude_from_auth": True},
                include_in_schema=False,
                send_as_attachment=False,
                router_class=FreshRouter,
            ),
            api_router(),
            *extra_routes,
            create_static_files_router(
                path="/static/swagger",
                directories=[swagger_ui_path],
                opt={"exclude_from_auth": True},
                include_in_schema=False,
                router_class=FreshRouter,
            ),
            create_static_files_router(
                path=api_docs.STATIC_PATH,
                directories=[api_docs.STATIC_DIR],
                opt={"exclude_from_auth": True},
                include_in_schema=False,
                send_as_attachment=False,
                router_class=FreshRouter,
            ),
        ],
        middleware=[auth],
        openapi_config=openapi,
        exception_handlers=EXCEPTION_HANDLERS,
        # Every response, errors and static files included: CSP, nosniff, HSTS on https, ...
        before_send=[security_headers(settings)],
        on_startup=[open_database, start_recovery, *on_startup],
        on_shutdown=[*on_shutdown, stop_runtime, close_database],
        # The check-in upload route has its own, larger ceiling (api/checkin_link.py).
        request_max_body_size=FORM_OVERHEAD_BYTES + settings.max_photo_bytes,
        template_config=TemplateConfig(
            directory=[TEMPLATE_DIR, *template_dirs],
            engine=JinjaTemplateEngine,
            engine_callback=add_i18n_extension,
        ),
        # Logging is configured by the process (reporting_api/logs.py: structured, redacted),
        # not by Litestar, whose own handler would bypass the redaction.
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.line_api = line_api
    describe_when_built(app)
    true_allow(app)
    return app


def describe_when_built(app: Litestar) -> None:
    """Our additions to the OpenAPI description (every operation's error answers, bodies that
    refuse unknown fields, the check-in link's refusals), applied once, right after Litestar
    builds the description on its first use (the schema pages, a client asking for it).
    Building it took most of an app's start (about a second of CPU), paid before by every app
    a test starts although few ever read it."""

    def describe(schema: OpenAPI) -> None:
        document_errors(schema)
        describe_bodies(app, schema)

    app.state.describe_openapi = describe
    _describe_after_build()


@functools.cache
def _describe_after_build() -> None:
    """Litestar 2 builds an app's description in `OpenAPIPlugin._build_openapi` (its plugin has
    slots, so one instance's method cannot be replaced): wrapped once for the process, it
    hands the new description to the app's `describe_openapi`, if it has one."""
    build = OpenAPIPlugin._build_openapi

    def build_then_describe(plugin: OpenAPIPlugin) -> OpenAPI:
        schema = build(plugin)
        describe = getattr(plugin.app.state, "describe_openapi", None)
        if describe is not None:
            describe(schema)
        return schema

    OpenAPIPlugin._build_openapi = build_then_describe  # type: ignore[method-assign,assignment]
