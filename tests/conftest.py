"""Fixtures everything uses: an app on a fresh database with the demo organisation, clients."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask import has_app_context

from app import create_app
from core.extensions import db, socketio
from demo.organisation import load_demo_if_empty
from tests import factories
from tests.scale import pg


def pytest_configure(config):
    """CHIBO_TEST_NOW=2028-02-29T19:30+07:00 runs the suite as if it were then, the clock ticking
    on from there: the demo data (relative to today) and every test see that day. CI runs the
    app-level suite on a few awkward days (`make test-clocks`) to prove no test depends on today."""
    when = os.environ.get("CHIBO_TEST_NOW")
    if when:
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise pytest.UsageError(
                "CHIBO_TEST_NOW needs a UTC offset, e.g. 2028-02-29T19:30+07:00"
            )
        time_machine.travel(moment, tick=True).start()


def fresh_database_url(tmp_path) -> str:
    """SQLite in tmp_path; with CHIBO_TEST_DATABASE=postgresql, a fresh PostgreSQL database
    holding the demo (dropped by the `app` fixture, or when the test process exits)."""
    if os.environ.get("CHIBO_TEST_DATABASE") == "postgresql":
        return pg.copy_of("demo", _build_demo_database)
    return f"sqlite:///{tmp_path / 'test.db'}"


def _build_demo_database(url: str) -> None:
    app = make_test_app(
        Path(tempfile.mkdtemp(prefix="chibo-pg-template-")), SQLALCHEMY_DATABASE_URI=url
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_SQLITE_TEMPLATES: dict[str, Path] = {}
_APPS: list = []  # every app a test made: their pooled connections are closed after each test


@pytest.fixture(autouse=True)
def _close_connections():
    """Close the pooled database connections of every app made during the test (an unclosed
    psycopg connection is a ResourceWarning, an error here). The engines stay usable."""
    yield
    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _copy_demo_database(url: str, config: dict) -> None:
    """Building the demo takes seconds; build it once per test run and copy the file per test."""
    template = _SQLITE_TEMPLATES.get("demo")
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="chibo-template-")) / "demo.db"
        builder = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
        with builder.app_context():
            db.create_all()
            load_demo_if_empty()
            db.session.remove()
            db.engine.dispose()
        _SQLITE_TEMPLATES["demo"] = template
    shutil.copyfile(template, url.removeprefix("sqlite:///"))


def make_test_app(tmp_path, **overrides):
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": overrides.get("SQLALCHEMY_DATABASE_URI")
        or fresh_database_url(tmp_path),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CHIBO_ASYNC_MODE": "threading",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; scrypt in production
        "SERVER_NAME": "localhost",
        "CHIBO_STRICT_WRITES": True,  # a request's commit outside a command fails the test
    }
    config.update(overrides)
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        _copy_demo_database(url, config)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        load_demo_if_empty()
    _APPS.append(app)
    return app


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if pg.is_test_database(app.config["SQLALCHEMY_DATABASE_URI"]):
        pg.drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def ctx(app):
    """An application context, for tests that use the services directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app, request):
    """login("bithu") -> a Flask test client logged in as that demo user.

    The UI speaks Vietnamese by default; a module marked `pytest.mark.language("en")` reads the
    English texts instead (its assertions quote the English msgids)."""
    marker = request.node.get_closest_marker("language")

    def _login(username: str, password: str = "chibo-demo"):
        _no_app_context_pushed()
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login failed for {username}"
        if marker is not None:
            client.post(f"/language/{marker.args[0]}", data={"next": "/"})
        return client

    return _login


@pytest.fixture
def sio(app, login):
    """sio("bithu") -> a Flask-SocketIO test client sharing a logged-in session."""
    clients = []

    def _connect(username: str):
        _no_app_context_pushed()
        http = login(username)
        client = socketio.test_client(app, flask_test_client=http)
        assert client.is_connected()
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        if client.is_connected():
            client.disconnect()


@pytest.fixture
def demo(app):
    """The demo's users and cells, loaded in a context that is closed again (ids and loaded
    columns are readable; use `with app.app_context():` for anything else)."""
    with app.app_context():
        return factories.Demo.load()


def _no_app_context_pushed():
    # A test-wide app context would be shared by every request of every client, and with it
    # Flask-Login's cached user: requests would run as the wrong user. Open short contexts instead.
    assert not has_app_context(), (
        "don't combine the ctx fixture with HTTP/Socket.IO clients: use `with app.app_context():`"
    )
