"""Health check, OpenAPI and its locally served UI."""

from __future__ import annotations

import warnings

from litestar.testing import TestClient

from reporting_api.app import create_app
from reporting_api.settings import Settings


def test_healthz_checks_the_database(api):
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database():
    # A PostgreSQL port nothing listens on.
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/none", db_pool_size=0)
    with warnings.catch_warnings():
        # Piccolo warns that it cannot read the server version: expected here.
        warnings.simplefilter("ignore")
        with TestClient(app=create_app(settings)) as client:
            response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_openapi_and_swagger_are_served_without_a_cdn(api):
    schema = api.client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/defendants" in paths and "/api/v1/cases/{case_id}/plan" in paths
    page = api.client.get("/schema/swagger")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()
    asset = api.client.get("/static/swagger/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
