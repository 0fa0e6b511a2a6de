"""Under eventlet, psycopg 3 must wait with `wait_selector` or one slow query stalls the process.

Five concurrent `SELECT pg_sleep(1)` on one eventlet process: about 1 s with the wait function
app.py installs, about 5 s without it (psycopg's C wait blocks the OS thread, so eventlet cannot
switch to another greenthread: every meeting on the process would freeze behind one query).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.live_server import ROOT

pytestmark = pytest.mark.server


def _elapsed(mode: str, url: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PSYCOPG_WAIT_FUNC"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.scale.slow_queries", mode, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    match = re.search(r"elapsed=([\d.]+) wait=(\w+)", done.stdout)
    assert match, done.stdout + done.stderr
    return float(match.group(1)), match.group(2)


@pytest.mark.parametrize("mode", ["entry", "late"])
def test_five_slow_queries_take_about_as_long_as_one(postgres_url, mode):
    elapsed, wait = _elapsed(mode, postgres_url)
    assert wait == "wait_selector"
    assert 0.9 < elapsed < 2.5, elapsed


def test_without_the_wait_function_they_run_one_after_the_other(postgres_url):
    elapsed, wait = _elapsed("default", postgres_url)
    assert wait == "wait_c"
    assert elapsed > 4.5, elapsed  # serialized: the reason app.py switches the wait function
