"""/api/v1/docs: the API reference page works offline, from files this server serves itself."""

from __future__ import annotations

import re

import pytest


def test_the_reference_page_loads_only_files_from_this_server(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "//" not in re.sub(r"<!DOCTYPE[^>]*>", "", html), "no absolute or protocol-relative URL (no CDN)"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http", "//", "/")) for s in sources)
    for source in sources:  # relative to /api/v1/docs
        asset = client.get(f"/api/v1/{source}")
        assert asset.status_code == 200 and len(asset.data) > 100, source
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in html  # nothing inline: the policy would block it


def test_the_reference_reads_the_openapi_document(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'data-spec="openapi.json"' in html
    assert "document.body.dataset.spec" in client.get("/api/v1/docs/start.js").get_data(as_text=True)
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("name", ["index.html", "..%2Fsettings.py", "swagger-ui.js.map", "nothing.js", "x" * 5000,
                                  "%00", "start.js%00.png"])
def test_only_the_reference_files_are_served(client, name):
    r = client.get(f"/api/v1/docs/{name}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_the_reference_needs_no_token_even_off_loopback(settings):
    from paperlens.app import create_app

    settings.host = "0.0.0.0"
    client = create_app(settings).test_client()
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/search?q=x").status_code == 401
