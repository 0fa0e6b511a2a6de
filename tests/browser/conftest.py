"""Browser tests: Playwright (pytest-playwright) driving Debian's Chromium.

Playwright's own browser downloads are not used (`playwright install` cannot work here): we
launch /usr/bin/chromium (Debian package `chromium`, installed by `scripts/bootstrap.sh --dev`).
Every test under tests/browser/ is marked `browser` and is skipped, with a reason, when that
executable is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = Path("test-artifacts")


def _chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: touch only those under tests/browser/.
    skip = None
    if not _chromium_available():
        skip = pytest.mark.skip(
            reason=f"{CHROMIUM} not found: install Debian's chromium "
            "(scripts/bootstrap.sh --dev, or apt-get install --no-install-recommends chromium)"
        )
    for item in items:
        if BROWSER_DIR not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if skip is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options (--headed, --slowmo, ...) plus Debian's Chromium."""
    if not _chromium_available():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium")
    args = list(CHROMIUM_ARGS)
    if browser_type_launch_args.get("headless") is False:
        args.remove("--headless")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": args,
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """Same value as pytest-playwright's fallback `base_url` (--base-url / ini `base_url`).

    pytest-playwright 0.10.0 defines its fallback as a session fixture on a class instance,
    which pytest 9.2 deprecates (PytestRemovedIn10Warning, an error under our
    `filterwarnings = error`). Defining it here means that one is never set up.
    Tests that start a server override this fixture with the server's URL.
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where browser tests save screenshots and other evidence (gitignored)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def server(tmp_path):
    """A real chibo server (`python app.py`, eventlet, CSRF on) for one test; its log on failure."""
    from tests import live_server

    with live_server.running(tmp_path) as running:
        yield running
    print(f"---- server log ({running.url}) ----\n{running.log()[-8000:]}")


@pytest.fixture
def console():
    """Browser console errors (CSP violations among them) fail the test."""
    from tests.browser.pages import Console

    watcher = Console()
    yield watcher
    assert watcher.errors == [], "\n".join(watcher.errors)
