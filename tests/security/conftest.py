"""Fixtures of the security tests: the admin pages' `site` (browser and API on one database)
as tests/admin has it."""

from tests.admin.conftest import site

__all__ = ["site"]
