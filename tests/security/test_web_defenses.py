"""Cookies, CSRF on every form, security headers on every page."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app
from tests.security.test_authorization_matrix import ROUTES
from tests.security.world import client_for, world_in

POST_ROUTES = sorted(endpoint for method, endpoint in ROUTES if method == "POST")
GET_ROUTES = sorted(endpoint for method, endpoint in ROUTES if method == "GET")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with world_in(tmp_path_factory.mktemp("defenses")) as built:
        yield built


def _url(world, endpoint, method):
    rule = next(
        r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods
    )
    values = dict(world.ids, name="check_in", code="en", token="not-a-token")
    return rule.build(values, append_unknown=False)[1]


def _someone_allowed(method, endpoint) -> str:
    allowed = ROUTES[(method, endpoint)]
    return "anonymous" if "anonymous" in allowed else sorted(allowed)[0]


def test_session_cookie_is_httponly_and_samesite_lax(tmp_path):
    app = make_test_app(tmp_path)
    response = app.test_client().post(
        "/login", data={"username": "bithu", "password": "chibo-demo"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(tmp_path):
    app = make_test_app(tmp_path, SESSION_COOKIE_SECURE=True)
    response = app.test_client().post(
        "/login", data={"username": "bithu", "password": "chibo-demo"}, base_url="https://localhost"
    )
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_every_form_needs_its_csrf_token(world, endpoint):
    persona = _someone_allowed("POST", endpoint)
    client = client_for(world, persona)  # logged in with CSRF off, as the world was built
    world.app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(_url(world, endpoint, "POST"), data={"x": "1"})
    finally:
        world.app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400, (endpoint, response.status_code)


@pytest.mark.parametrize("endpoint", GET_ROUTES)
def test_every_page_has_the_security_headers(world, endpoint):
    client = client_for(world, _someone_allowed("GET", endpoint))
    response = client.get(_url(world, endpoint, "GET"))
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
