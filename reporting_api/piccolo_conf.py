"""Piccolo's configuration, used by `bail-checkin migrate` (``PICCOLO_CONF``).

Piccolo needs its engine as a module attribute; it is built from `DATABASE_URL` here, in the
one module Piccolo imports for its own commands.
"""

from piccolo.conf.apps import AppRegistry

from reporting_api.db import engine_from_url
from reporting_api.settings import Settings

DB = engine_from_url(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["reporting_api.piccolo_app"])
