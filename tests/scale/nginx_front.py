"""Debian's nginx on a free loopback port with deploy/render_nginx.py's configuration, in front
of chibo processes on given ports; its pid, logs and temp files in the test's folder. The access
log says which process answered each request (`$upstream_addr`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.live_server import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN_CONF = """\
{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    log_format routes '$request_uri $upstream_addr';
    access_log {folder}/access.log routes;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/chibo.conf;
}}
"""


@contextlib.contextmanager
def running(folder: Path, ports: list[int]) -> Iterator[str]:
    """nginx in front of the processes on `ports`: yields its base URL."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/bootstrap.sh --dev installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    rendered = subprocess.run(
        [sys.executable, "deploy/render_nginx.py", "--listen", f"127.0.0.1:{port}", "--ports"]
        + [str(p) for p in ports],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    (folder / "chibo.conf").write_text(rendered.stdout)
    # As root, workers would switch to `nobody`, who cannot enter pytest's private temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN_CONF.format(folder=folder, user=user))
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(url + "/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, (folder / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def routes(folder: Path) -> list[tuple[str, str]]:
    """(request URI, the process that answered) of every request logged so far. nginx lists
    every process it tried (`127.0.0.1:5001, 127.0.0.1:5002`): the last one answered."""
    log = folder / "access.log"
    if not log.exists():
        return []
    pairs = []
    for line in log.read_text(errors="replace").splitlines():
        uri, _, tried = line.partition(" ")
        pairs.append((uri, tried.split(", ")[-1]))
    return pairs
