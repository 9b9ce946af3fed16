"""Caseload: the office's people, searchable and sortable, each with their next check-in.

The search box asks for the table alone through HTMX as the officer types; without
JavaScript the same form is a plain GET of the whole page.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Response, Template
from phonenumbers import NumberParseException

from admin_ui.exports.caseload import MEDIA_TYPE, CaseloadSheet
from admin_ui.web import field_errors, fields_of, language, list_link, render
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep, PagingDep
from reporting_api.phones import format_thai_mobile_display
from reporting_api.receipt_codes import looks_like_reference
from reporting_api.services import caseload as service
from reporting_api.services import receipts
from reporting_api.thai_dates import bangkok_today


def phone_text(e164: str | None) -> str:
    """A stored E.164 number as Thai people write it (081-234-5678)."""
    if not e164:
        return ""
    try:
        return format_thai_mobile_display(e164)
    except NumberParseException:
        return e164


class CaseloadPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/caseload.xlsx")
    async def caseload_xlsx(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        sort: Annotated[str, QueryParameter(max_length=16)] = "name",
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Response[bytes] | Template:
        """Every person the page's filters select, as Excel; audited. The rows go into a
        write-only workbook a batch at a time (`service.export`)."""
        sort = sort if sort in service.SORTS else "name"
        sheet = CaseloadSheet(language(request), q=(q or "").strip(), sort=sort)

        async def write(rows: list[service.CaseloadEntry]) -> None:
            await anyio.to_thread.run_sync(sheet.add, rows)

        try:
            done = await service.export(ctx, q=q, office_id=office_id, sort=sort, write=write)
        except InvalidInput as error:
            return render(request, "admin/caseload.html", status_code=400,
                          errors=field_errors(error), rows=[], total=0, truncated=False,
                          q=q, sort=sort, office_id=office_id, offices=[], page=1,
                          page_size=20, phone_text=phone_text,
                          link=list_link("/admin/caseload", {}, {"sort": "name"}))  # fmt: skip
        body = await anyio.to_thread.run_sync(
            partial(sheet.finish, truncated_at=service.EXPORT_CAP if done.truncated else None)
        )
        name = f"caseload-{bangkok_today(ctx.now):%Y%m%d}.xlsx"
        return Response(
            content=body,
            media_type=MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/caseload")
    async def caseload(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        paging: PagingDep,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        sort: Annotated[str, QueryParameter(max_length=16)] = "name",
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template | Redirect | Response[str]:
        # HTMX live search swaps only the table; a plain GET gets the whole page.
        fragment = bool(request.headers.get("hx-request"))
        template = "admin/caseload_table.html" if fragment else "admin/caseload.html"
        text = (q or "").strip()
        # A check-in receipt's reference number (K7M4-Q2X9), as the person shows or reads it:
        # straight to their check-in. A mistyped one is said so if no name matches it either.
        not_a_receipt = None
        if looks_like_reference(text):
            try:
                found = await receipts.lookup(ctx, text, field="q")
            except InvalidInput as error:
                not_a_receipt = error
            else:
                target = f"/admin/defendants/{found.defendant_id}#checkin-{found.check_in_id}"
                if fragment:
                    return Response("", headers={"HX-Redirect": target})
                return Redirect(target, status_code=303)
        sort = sort if sort in service.SORTS else "name"
        common: dict[str, Any] = {
            "page": paging.page,
            "page_size": paging.page_size,
            "phone_text": phone_text,
            "link": list_link(
                "/admin/caseload",
                {"q": text, "sort": sort, "office_id": office_id, "page_size": paging.page_size},
                {"sort": "name"},
            ),
        }
        try:
            data = await service.caseload(
                ctx,
                q=text,
                office_id=office_id,
                sort=sort,
                offset=paging.offset,
                limit=paging.page_size,
            )
        except InvalidInput as error:
            # HTMX swaps only 2xx answers: the fragment with the error comes back as 200.
            page = render(
                request,
                template,
                status_code=200 if fragment else 400,
                errors=field_errors(error),
                rows=[],
                total=0,
                truncated=False,
                offices=[],
                q=text,
                sort=sort,
                office_id=office_id,
                **common,
            )
        else:
            errors = field_errors(not_a_receipt) if not_a_receipt and not data.total else None
            page = render(request, template, errors=errors, **fields_of(data), **common)
        page.headers["Vary"] = "HX-Request"  # the same address answers a page or a fragment
        return page
