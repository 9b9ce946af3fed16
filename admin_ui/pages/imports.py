"""Importing an office's caseload (`/admin/import`, officers): the template to download, the
upload (a CSV or XLSX file and a ZIP of ID photos), the dry run's table of rows and their
problems, the write with its progress bar, and the report (docs/import.md)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Stream, Template

from admin_ui.web import render
from reporting_api.caseload_sheet import COLUMNS, template_csv, template_xlsx
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import caseload_import as imports
from reporting_api.services.context import Ctx
from reporting_api.thai_dates import bangkok_today

UPLOAD_CEILING_BYTES = 120 * 1024 * 1024
"""The caseload file and the photos' ZIP together (the form is held in memory while it is
read; the CLI `bail-checkin import-caseload` streams files of any size)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STALE_SECONDS = 120


async def _file(form: Mapping[str, Any], name: str) -> tuple[str | None, io.BytesIO | None]:
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None, None
    data = await value.read()
    await value.close()
    return value.filename, io.BytesIO(data)


async def _start_page(
    request: Request[Any, Any, Any], ctx: Ctx, error: InvalidInput | Conflict | None = None
) -> Template:
    return render(
        request,
        "admin/import.html",
        status_code=400 if error else 200,
        jobs=await imports.recent(ctx),
        columns=COLUMNS,
        error=error,
    )


def _job_page(request: Request[Any, Any, Any], ctx: Ctx, view: imports.ImportView) -> Template:
    job = view.job
    heartbeat = job["heartbeat_at"]
    stalled = (
        job["state"] == "running"
        and heartbeat is not None
        and (ctx.now - heartbeat).total_seconds() > STALE_SECONDS
    )
    return render(
        request,
        "admin/import_job.html",
        view=view,
        job=job,
        stalled=stalled,
        refresh=job["state"] == "running" and not stalled,
        page=int(request.query_params.get("page", "1") or 1),
    )


class ImportPages(Controller):
    path = "/admin/import"
    include_in_schema = False

    @get("/")
    async def start_page(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return await _start_page(request, ctx)

    @get("/template.csv")
    async def template_csv(self, ctx: CtxDep) -> Response[bytes]:
        imports.ensure_can_import(ctx)
        return _download(
            template_csv(bangkok_today(ctx.now)), "text/csv; charset=utf-8", "caseload-template.csv"
        )

    @get("/template.xlsx")
    async def template_xlsx(self, ctx: CtxDep) -> Response[bytes]:
        imports.ensure_can_import(ctx)
        return _download(template_xlsx(bangkok_today(ctx.now)), XLSX, "caseload-template.xlsx")

    @post("/", request_max_body_size=UPLOAD_CEILING_BYTES)
    async def upload(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        form = await request.form()
        name, sheet = await _file(form, "file")
        photos_name, photos = await _file(form, "photos")
        if sheet is None or name is None:
            return await _start_page(
                request,
                ctx,
                InvalidInput("file", "choose the caseload file", "เลือกไฟล์รายชื่อคดี"),
            )
        try:
            view = await imports.check(ctx, imports.ImportUpload(name, sheet, photos_name, photos))
        except (InvalidInput, Conflict) as error:
            return await _start_page(request, ctx, error)
        return Redirect(f"/admin/import/{view.job['id']}", status_code=303)

    @get("/{job_id:int}")
    async def job_page(
        self, request: Request[Any, Any, Any], ctx: CtxDep, job_id: PathId
    ) -> Template:
        page = request.query_params.get("page", "1")
        view = await imports.view(ctx, job_id, int(page) if page.isdigit() else 1)
        return _job_page(request, ctx, view)

    @post("/{job_id:int}/run")
    async def run(self, request: Request[Any, Any, Any], ctx: CtxDep, job_id: PathId) -> Any:
        try:
            await imports.start(ctx, job_id)
        except Conflict:
            return Redirect(f"/admin/import/{job_id}", status_code=303)
        # Written after the answer, in this process; the page follows its progress. A run
        # cut short (the server stopped) is taken up again from the page after two minutes.
        ctx.rt.spawn(imports.run(ctx, job_id))
        return Redirect(f"/admin/import/{job_id}", status_code=303)

    @get("/{job_id:int}/report.csv")
    async def report(self, ctx: CtxDep, job_id: PathId) -> Stream:
        lines = await imports.report_csv(ctx, job_id)
        return Stream(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="import-{job_id}-report.csv"',
                "Cache-Control": "no-store",
            },
        )


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
