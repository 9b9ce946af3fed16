"""admin_ui: the officers' and managers' pages under /admin (server-rendered Jinja, HTMX).

Built on reporting_api (its services, access rules and audit), never the other way round:
`admin_parts()` gives the routes and template folder that `bail-checkin serve` adds to
`reporting_api.app.create_app`.
"""

from admin_ui.app import AdminParts, admin_parts

__all__ = ["AdminParts", "admin_parts"]
