"""The committed OpenAPI document is current, and the docs page works offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True)
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "docs/api/openapi.yaml is stale: run `make schema` and commit the result"
    )


def test_schema_documents_the_bilingual_error_body_on_every_operation() -> None:
    import yaml

    doc = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert {"Error", "ErrorItem"} <= set(doc["components"]["schemas"])
    for url, item in doc["paths"].items():
        for method, operation in item.items():
            public = url == "/api/v1/auth/token/"
            for code in ("400", "429") if public else ("400", "401", "403", "404", "429"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, url, code)


@pytest.mark.django_db
def test_schema_endpoint_serves_yaml_and_json_without_login() -> None:
    client = APIClient()
    assert client.get("/api/v1/schema/").status_code == 200
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Suksa API"


@pytest.mark.django_db
def test_swagger_ui_loads_its_assets_from_this_server_not_a_cdn() -> None:
    html = APIClient().get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html


@pytest.mark.django_db
def test_swagger_ui_assets_are_served_by_this_server() -> None:
    client = APIClient()
    html = client.get("/api/v1/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
