"""A stored file sent to staff as a download, the same way from the API and the pages."""

from __future__ import annotations

from litestar.response import Stream

from reporting_api.services import attachments


def download_response(found: attachments.Download) -> Stream:
    """A stored attachment as a download: never shown in the browser's own page, never
    sniffed as another type."""
    return Stream(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": attachments.content_disposition(found.file_name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
