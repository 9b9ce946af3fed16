"""OPTIONS answers name every method their path takes.

Litestar 2 makes a path's OPTIONS handler when it first builds the path's route, and the
handler goes on answering with that first route's methods after the handlers of other
controllers for the same path are merged in: `OPTIONS /api/v1/cases` said `GET, OPTIONS`
although the path also takes POST (found by schemathesis, docs/security-fuzzing.md). The
405 answers were right (the router reads the merged route). `true_allow` maps each OPTIONS
handler to the methods of the route that holds it once the app is built, and its
`before_send` hook puts those in `Allow`.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


def true_allow(app: Litestar) -> None:
    """Make every OPTIONS answer of ``app`` carry its path's methods in `Allow`."""
    allowed: dict[int, bytes] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            entry = route.route_handler_map.get("OPTIONS")
            if entry is not None:
                allowed[id(entry[0])] = ", ".join(sorted(route.methods)).encode()

    async def fix(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        value = allowed.get(id(scope.get("route_handler")))
        if value is not None:
            headers = [(n, v) for n, v in message.get("headers", ()) if n.lower() != b"allow"]
            message["headers"] = [*headers, (b"allow", value)]

    app.before_send.append(fix)


__all__ = ["true_allow"]
