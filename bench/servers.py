"""Server processes for the benchmark (bare and chibo), and their CPU and memory from /proc."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    cluster: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds spent by every process on the machine (all cores) so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _wait_until_up(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited ({server.process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer within {START_TIMEOUT:.0f} s:\n{server.log()}")


@contextlib.contextmanager
def _process(
    argv: list[str], env: dict[str, str], log_path: Path, url: str, health: str
) -> Iterator[Server]:
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(url, process, log_path, env.get("CHIBO_CLUSTER", ""))
    try:
        _wait_until_up(server, health)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def bare(
    folder: Path, compression: bool, count: int = 1, message_queue: str | None = None
) -> Iterator[list[Server]]:
    """`count` bare broadcast servers (with a message queue when more than one)."""
    channel = f"bench-bare-{secrets.token_hex(4)}"
    with contextlib.ExitStack() as stack:
        servers = []
        for index in range(count):
            port = free_port()
            argv = [sys.executable, "bench/bare_server.py", "--port", str(port)]
            if not compression:
                argv.append("--no-compression")
            if message_queue:
                argv += ["--message-queue", message_queue, "--channel", channel]
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            servers.append(
                stack.enter_context(
                    _process(
                        argv,
                        env,
                        folder / f"bare{index}.log",
                        f"http://127.0.0.1:{port}",
                        "/health",
                    )
                )
            )
        yield servers


@contextlib.contextmanager
def chibo(
    folder: Path,
    database_url: str,
    secret_key: str,
    compression: bool,
    count: int = 1,
    message_queue: str | None = None,
) -> Iterator[list[Server]]:
    """`count` chibo processes (`python app.py`, eventlet) on a prepared database."""
    cluster = f"bench-{secrets.token_hex(4)}"
    with contextlib.ExitStack() as stack:
        servers = []
        for index in range(count):
            port = free_port()
            instance = folder / f"instance{index}"
            instance.mkdir(parents=True, exist_ok=True)
            env = {
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "CHIBO_INSTANCE_PATH": str(instance),
                "CHIBO_ASYNC_MODE": "eventlet",
                "CHIBO_LOAD_DEMO": "0",
                "CHIBO_AUTO_MIGRATE": "0",  # the database is prepared with create_all()
                "DATABASE_URL": database_url,
                "SECRET_KEY": secret_key,
                "CHIBO_CLUSTER": cluster,
                "CHIBO_WS_COMPRESSION": "1" if compression else "0",
            }
            env.pop("SOCKETIO_MESSAGE_QUEUE", None)
            if message_queue:
                env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
            entry = os.environ.get("CHIBO_BENCH_ENTRY", "app.py")  # a wrapper, for probes
            argv = [sys.executable, entry, "--host", "127.0.0.1", "--port", str(port)]
            servers.append(
                stack.enter_context(
                    _process(
                        argv,
                        env,
                        folder / f"chibo{index}.log",
                        f"http://127.0.0.1:{port}",
                        "/login",
                    )
                )
            )
        yield servers


def established(ports: list[int]) -> list[int]:
    """How many established TCP connections each of these local ports holds (its sockets)."""
    counts = dict.fromkeys(ports, 0)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if fields[3] == "01" and port in counts:  # 01: ESTABLISHED
                    counts[port] += 1
    return [counts[p] for p in ports]


NGINX_MAIN = """\
{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/chibo.conf;
}}
"""


@contextlib.contextmanager
def nginx(folder: Path, ports: list[int]) -> Iterator[str]:
    """Debian's nginx on a free loopback port with deploy/render_nginx.py's configuration in
    front of the processes on `ports`; yields its URL."""
    sys.path.insert(0, str(ROOT / "deploy"))
    from render_nginx import render

    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (folder / "chibo.conf").write_text(render(ports, listen=f"127.0.0.1:{port}"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(NGINX_MAIN.format(folder=folder, user=user))
    binary = "/usr/sbin/nginx"
    argv = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    subprocess.run([*argv, "-t"], check=True, capture_output=True)
    with (folder / "nginx.out").open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, folder / "error.log")
    try:
        _wait_until_up(server, "/login")
        yield server.url
    finally:
        process.send_signal(3)  # SIGQUIT: graceful
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
