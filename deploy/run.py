"""Start N chibo processes on consecutive ports and keep them together.

    SOCKETIO_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 \
    DATABASE_URL=postgresql+psycopg://chibo@127.0.0.1:5432/chibo \
    python deploy/run.py --processes 4 --base-port 5001

Processes start one after the other, each once the previous answers, so the first alone creates
or migrates the database and loads the demo organisation. When one process dies the others are
stopped too and this script exits with its code: the service manager restarts the whole set.
SIGTERM or Ctrl-C stops them all. Each process gets CHIBO_BEHIND_PROXY=1 (unless set): they listen
on the loopback address, reachable only through nginx, whose X-Forwarded-* headers they trust.
With a message queue, one job worker (`python -m jobs.worker`: email, reminders) starts with them
and belongs to the set like the others (`--no-worker` when it runs elsewhere).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return response.status == 200
    except OSError:
        return False


def _wait_up(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"chibo on {url} exited with code {process.returncode}")
        if _answers(url):
            return
        time.sleep(0.2)
    raise SystemExit(f"chibo on {url} did not answer within {START_TIMEOUT:.0f} s")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start N chibo processes on consecutive ports.")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--base-port", type=int, default=5001)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--python", default=sys.executable, help="the virtualenv's python")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="the job worker runs elsewhere (one per deployment)",
    )
    args, app_args = parser.parse_known_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.processes > 1 and not os.environ.get("SOCKETIO_MESSAGE_QUEUE"):
        parser.error("several processes need SOCKETIO_MESSAGE_QUEUE (redis://...)")
    env = {**os.environ}
    env.setdefault("CHIBO_BEHIND_PROXY", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")

    processes: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ports = [args.base_port + i for i in range(args.processes)]
    try:
        for port in ports:
            command = [args.python, "app.py", "--host", args.host, "--port", str(port), *app_args]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env))  # noqa: S603
            _wait_up(processes[-1], f"http://{args.host}:{port}/login")
        worker = ""
        if os.environ.get("SOCKETIO_MESSAGE_QUEUE") and not args.no_worker:
            command = [args.python, "-m", "jobs.worker"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env))  # noqa: S603
            worker = " and the job worker"
        ports_text = " ".join(map(str, ports))
        print(f"chibo: {len(ports)} processes up on ports {ports_text}{worker}", flush=True)
        while not stopping:
            for process in processes:
                if process.poll() is not None:
                    print(f"chibo: a process exited with code {process.returncode}", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
