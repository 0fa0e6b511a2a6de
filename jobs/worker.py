"""The job worker of a multi-process deployment: `python -m jobs.worker` (one is enough).

It reads the same environment as the web processes (DATABASE_URL, SOCKETIO_MESSAGE_QUEUE,
CHIBO_CLUSTER, CHIBO_SMTP_*), sends email and reminders, and reaches the browsers through the
message queue like any other process.
"""

from __future__ import annotations

import argparse
import logging
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run chibo's job worker.")
    parser.add_argument("--workers", type=int, default=2, help="threads running jobs")
    args = parser.parse_args(argv)
    # The worker serves no sockets: plain threads, whatever the web processes use.
    os.environ["CHIBO_ASYNC_MODE"] = "threading"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from app import create_app

    app = create_app()
    from jobs import jobs

    print(f"chibo worker: {app.config['CHIBO_JOBS']} jobs", flush=True)
    jobs(app).huey.create_consumer(workers=args.workers, worker_type="thread").run()


if __name__ == "__main__":
    main()
