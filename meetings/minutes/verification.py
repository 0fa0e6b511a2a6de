"""Checking minutes held on paper or as a file against the sealed versions.

By code: the short code (or the full fingerprint) printed on every page finds the sealed version.
By file: an uploaded PDF verifies only if its own SHA-256 equals that of the PDF this server
rendered for a sealed version (a hash: microseconds, whatever the file). A file whose bytes differ
is "altered" when it carries a known code: the code typed beside it, else the one a worker
process finds in its first pages, with limits on time, memory and pages and a cap on how many run
at once (`verify_worker`); the web process never parses an upload (issue 14: one hostile PDF held
the server 35 s). Every answer also re-checks the stored content against its
fingerprint, so a database row changed behind the application's back is caught.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from meetings.minutes import pdf, sealing
from meetings.minutes.models import MinutesVersion, VersionState
from meetings.models import Meeting

log = logging.getLogger(__name__)

WORKER_TIMEOUT = 5.0  # seconds of wall time; the worker's own CPU cap is lower
QUEUE_WAIT = 2.0  # how long an upload waits for a free worker before "busy"


@dataclass
class Outcome:
    """What the verification page shows. `status`: valid, superseded, altered, unknown, no_code,
    invalid_code, broken (stored content no longer matches its fingerprint), busy (every
    worker is reading another upload: type the code or retry)."""

    status: str
    version: MinutesVersion | None = None
    meeting: Meeting | None = None
    newer: MinutesVersion | None = None
    signers: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("valid", "superseded")


def _find(hex_prefix: str) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(
                MinutesVersion.state == VersionState.SEALED,
                MinutesVersion.fingerprint.startswith(hex_prefix, autoescape=True),
            )
            .limit(2)
        ).all()
    )


def _describe(version: MinutesVersion, status: str) -> Outcome:
    meeting = db.session.get(Meeting, version.meeting_id)
    if version.content is None or sealing.fingerprint(version.content) != version.fingerprint:
        return Outcome("broken", version, meeting)
    newer = db.session.scalar(
        select(MinutesVersion)
        .where(
            MinutesVersion.meeting_id == version.meeting_id,
            MinutesVersion.number > version.number,
            MinutesVersion.state == VersionState.SEALED,
        )
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )
    if status == "valid" and newer is not None:
        status = "superseded"
    signers = list(version.content.get("signatures", []))
    return Outcome(status, version, meeting, newer, signers)


def by_code(text: str | None) -> Outcome:
    digits = sealing.parse_code(text)
    if digits is None:
        return Outcome("invalid_code")
    found = _find(digits)
    if len(found) != 1:
        return Outcome("unknown")
    return _describe(found[0], "valid")


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _worker_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(current_app.config["CHIBO_VERIFY_WORKERS"])
        return _slots


def code_in_file(data: bytes) -> str | None:
    """The code printed in the PDF, read by a worker process; "" when none was found (or the
    worker failed or ran out of time), None when every worker is busy. Waiting is green under
    eventlet: the web process only spawns the worker and reads its answer."""
    if not data.startswith(b"%PDF"):
        return ""
    # The wait (for a slot, then for the worker: seconds) must not hold a database connection:
    # ten hostile uploads a second held the whole pool, and every meeting's events waited for one.
    db.session.close()
    slots = _worker_slots()
    if not slots.acquire(timeout=QUEUE_WAIT):
        return None
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-m", "meetings.minutes.verify_worker"],
            input=data,
            capture_output=True,
            timeout=WORKER_TIMEOUT,
            cwd=current_app.root_path,
            check=False,
        )
    except Exception:  # TimeoutExpired (eventlet's green subprocess has its own class)
        log.warning("verify: worker ran out of time on a %d-byte upload", len(data))
        return ""
    finally:
        slots.release()
    if done.returncode != 0:
        log.info("verify: worker gave up on a %d-byte upload (%d)", len(data), done.returncode)
        return ""
    return done.stdout.decode("ascii", errors="replace").strip()


def _kept_file_digest(version: MinutesVersion) -> str | None:
    path = pdf.cached_path(version)
    return sealing.file_sha256(path.read_bytes()) if path.exists() else None


def by_file(data: bytes, typed_code: str | None = None) -> Outcome:
    digest = sealing.file_sha256(data)
    original = db.session.scalar(select(MinutesVersion).where(MinutesVersion.pdf_sha256 == digest))
    if original is not None:
        return _describe(original, "valid")
    digits = sealing.parse_code(typed_code)
    if digits is None:
        code = code_in_file(data)
        if code is None:
            return Outcome("busy")
        digits = sealing.parse_code(code)
    if digits is None:
        return Outcome("no_code")
    found_versions = _find(digits)
    if len(found_versions) != 1:
        return Outcome("unknown")
    found = found_versions[0]
    if found.pdf_sha256 is None and _kept_file_digest(found) == digest:
        return _describe(found, "valid")  # sealed without a recorded file (the demo's)
    outcome = _describe(found, "altered")
    if outcome.status != "broken":
        outcome.status = "altered"
    return outcome
