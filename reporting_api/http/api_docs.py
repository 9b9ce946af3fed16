"""The API docs page (`/schema/swagger`) without an inline script: Swagger UI is started by
`static/swagger-init.js`, which loads the description from `/schema/openapi.json`, so the page
keeps the strict script policy (`security_headers.DOCS_POLICY`)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static/api-docs"


class SwaggerPage(SwaggerRenderPlugin):
    """Litestar's Swagger UI page, its start-up script moved to a file that loads the
    description from ``spec_url``."""

    def __init__(self, *, spec_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec_url = spec_url

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html>
<head>
<title>{title}</title>
{self.favicon}
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link href="{escape(self.css_url)}" rel="stylesheet">
</head>
<body>
<div id="swagger-container" data-spec-url="{escape(self.spec_url)}"></div>
<script src="{escape(self.js_url)}"></script>
<script src="{escape(self.standalone_preset_js_url)}"></script>
<script src="{STATIC_PATH}/swagger-init.js"></script>
</body>
</html>
""".encode()


__all__ = ["STATIC_DIR", "STATIC_PATH", "SwaggerPage"]
