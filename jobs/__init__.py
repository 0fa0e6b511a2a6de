"""Background jobs on huey: sending email and reminders at their time.

One process (`python app.py`): huey's SQLite storage in the instance folder, consumed by threads
inside the web process (green threads under eventlet). Several processes: huey's Redis storage,
consumed by one worker process of its own (`python -m jobs.worker`); the web processes only
enqueue. Tests: huey's immediate mode (a job runs when enqueued; a delayed one waits in memory).

Features declare jobs with `@job(name)`; `enqueue(name, *args, eta=...)` queues one. A job runs
inside an app context with its arguments (plain JSON-able values: ids, never ORM objects).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

log = logging.getLogger(__name__)

MODES = ("immediate", "sqlite", "redis")

# name -> (function, retries): declared at import by the features, bound per app.
DECLARED: dict[str, tuple[Callable, int]] = {}


def job(name: str, retries: int = 0):
    """Declare a job; the function takes the job's arguments and, last, its huey task."""

    def register(fn):
        DECLARED[name] = (fn, retries)
        return fn

    return register


@dataclass
class Jobs:
    huey: Huey
    tasks: dict[str, Callable]


def _storage(app: Flask) -> Huey:
    mode = app.config["CHIBO_JOBS"]
    name = f"{app.config['CHIBO_CLUSTER']}.jobs"  # keys of this deployment only
    if mode == "immediate":
        return MemoryHuey(name, immediate=True, results=False)
    if mode == "redis":
        url = app.config["CHIBO_JOBS_REDIS"] or app.config["SOCKETIO_MESSAGE_QUEUE"]
        if not url:
            raise ValueError("CHIBO_JOBS=redis needs CHIBO_JOBS_REDIS or SOCKETIO_MESSAGE_QUEUE")
        return RedisHuey(name, url=url, results=False)
    if mode == "sqlite":
        path = app.config["CHIBO_JOBS_SQLITE"] or f"{app.instance_path}/jobs.db"
        return SqliteHuey(name, filename=path, results=False)
    raise ValueError(f"CHIBO_JOBS must be one of {MODES}, not {mode!r}")


def init_app(app: Flask, features: tuple[ModuleType, ...] = ()) -> None:
    """Bind every declared job to this app's queue; each module named in `features` must have
    declared at least one (a renamed or emptied module fails at start, not at its first job)."""
    declared = {fn.__module__ for fn, _retries in DECLARED.values()}
    missing = [m.__name__ for m in features if m.__name__ not in declared]
    if missing:
        raise RuntimeError(f"no jobs declared by {', '.join(missing)}")
    huey = _storage(app)
    tasks = {}
    for name, (fn, retries) in DECLARED.items():
        tasks[name] = huey.task(name=name, retries=retries, context=True)(_in_app(app, fn))
    app.extensions["jobs"] = Jobs(huey, tasks)


def _in_app(app: Flask, fn: Callable) -> Callable:
    def run(*args, task=None):
        with app.app_context():
            return fn(*args, task=task)

    run.__name__ = fn.__name__
    return run


def jobs(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions["jobs"]


def enqueue(name: str, *args, eta: datetime | None = None) -> None:
    """Queue a job now, or for `eta` (an aware datetime). Never raises into the caller: a
    queue that is down is logged, and what depends on it (an email) is recorded as pending."""
    task = jobs().tasks[name]
    try:
        if eta is None:
            task(*args)
        else:
            task.schedule(args=args, eta=eta)
    except Exception:
        log.exception("could not queue job %s", name)


class InProcessConsumer(Consumer):
    """huey's consumer, run by threads inside the web process: the web server keeps the
    signals (huey's own would take Ctrl-C away from it)."""

    def _set_signal_handlers(self):
        pass


def start_in_process(app: Flask, workers: int = 2) -> Consumer | None:
    """Consume jobs inside this process (the one-process default)."""
    if not app.config["CHIBO_JOBS_IN_PROCESS"] or app.config["CHIBO_JOBS"] == "immediate":
        return None
    consumer = InProcessConsumer(jobs(app).huey, workers=workers, worker_type="thread")
    consumer.start()
    log.info("job consumer running in this process (%s)", app.config["CHIBO_JOBS"])
    return consumer
