"""The minutes as HTML (one template family for the page and the PDF) and as PDF.

Rendering is CPU work that would stall every live meeting served by this process, so it never
runs in the server's own process: each render is one short-lived worker process
(`python -m meetings.minutes.pdf_worker`, lowered priority), at most `CHIBO_PDF_WORKERS` (2) at
once. Under eventlet, `subprocess` and `threading` are monkey-patched, so only the requesting green
thread waits while the hub keeps serving every socket. (A process pool hung under eventlet:
its result wait mixes green and OS threads.) Each render pays ~0.4 s CPU of start-up in its own
process, not in the server's.
A sealed version is rendered once, at sealing (`keep_sealed`, in the sealing transaction): the
file is kept in the instance folder under its fingerprint and its SHA-256 stored, which is what an
uploaded copy is checked against. A download never writes to the database.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import qrcode
import qrcode.image.svg
from flask import current_app, render_template, request, url_for
from flask_babel import force_locale

from core.files import instance_folder
from meetings.minutes import sealing
from meetings.minutes.models import MinutesVersion
from meetings.models import Meeting

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 120


def margins() -> tuple[float, float, float, float]:
    """Page margins in mm from `CHIBO_MINUTES_MARGINS_MM` (top, bottom, left, right)."""
    value = current_app.config["CHIBO_MINUTES_MARGINS_MM"]
    if isinstance(value, str):
        value = [float(part) for part in value.replace(",", " ").split()]
    top, bottom, left, right = (float(v) for v in value)
    return top, bottom, left, right


def verify_url(fingerprint: str | None = None) -> str:
    """Absolute URL of the verification page (CHIBO_PUBLIC_URL when set, else this host)."""
    code = sealing.short_code(fingerprint) if fingerprint else None
    path = url_for("minutes.verify", code=code) if code else url_for("minutes.verify")
    base = current_app.config["CHIBO_PUBLIC_URL"] or (request.host_url if request else "")
    return base.rstrip("/") + path


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (no PIL; embeddable in the page and in WeasyPrint)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def seal_info(version: MinutesVersion | None) -> dict | None:
    if version is None or not version.is_sealed or not version.fingerprint:
        return None
    url = verify_url(version.fingerprint)
    return {
        "fingerprint": version.fingerprint,
        "code": sealing.short_code(version.fingerprint),
        "url": url,
        "qr": qr_data_uri(url),
    }


def render_html(doc: dict, version: MinutesVersion | None, *, for_pdf: bool) -> str:
    """The minutes document as HTML: `minutes/print.html` for the PDF, the page embeds the same
    `minutes/_document.html`."""
    top, bottom, left, right = margins()
    with force_locale("vi"):
        return render_template(
            "minutes/print.html",
            doc=doc,
            seal=seal_info(version),
            draft=version is None or not version.is_sealed,
            margins=f"{top}mm {right}mm {bottom}mm {left}mm",
            created=(version.sealed_at if version and version.sealed_at else None),
            for_pdf=for_pdf,
        )


def _static_root() -> str:
    return str(Path(current_app.static_folder).resolve())


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _render_slots() -> threading.BoundedSemaphore:
    # Under eventlet/gevent `threading` and `subprocess` are monkey-patched: waiting here is green.
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(int(current_app.config["CHIBO_PDF_WORKERS"]))
        return _slots


def render_pdf(html: str) -> bytes:
    """HTML -> PDF in a short-lived worker process; the caller's (green) thread just waits."""
    start = time.perf_counter()
    with _render_slots():
        done = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-m", "meetings.minutes.pdf_worker", _static_root()],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            cwd=str(Path(current_app.root_path)),
            check=False,
        )
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError(f"PDF worker failed: {done.stderr.decode(errors='replace')[-2000:]}")
    log.info(
        "minutes PDF rendered in %.0f ms (%d bytes)",
        (time.perf_counter() - start) * 1000,
        len(done.stdout),
    )
    return done.stdout


def cache_dir() -> Path:
    """Where sealed PDFs are kept: `CHIBO_MINUTES_DIR`, default `<instance>/minutes`."""
    return instance_folder("CHIBO_MINUTES_DIR", "minutes")


def cached_path(version: MinutesVersion) -> Path:
    return cache_dir() / f"{version.fingerprint}.pdf"


def _keep_file(version: MinutesVersion, data: bytes) -> None:
    path = cached_path(version)
    if path.exists():  # rendered meanwhile: the first file stays
        return
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def keep_sealed(version: MinutesVersion) -> None:
    """At sealing, in its transaction: render the sealed content once, keep the file under its
    fingerprint and record the file's SHA-256 (what an uploaded copy is checked against)."""
    data = render_pdf(render_html(version.content, version, for_pdf=True))
    _keep_file(version, data)
    version.pdf_sha256 = sealing.file_sha256(data)


def pdf_for(meeting: Meeting, version: MinutesVersion | None, doc: dict) -> bytes:
    """The PDF of a version: the file kept for a sealed version, else freshly rendered. A version
    sealed without its file (the demo's, or a file lost) is rendered and kept on disk; the
    database is not written by a download."""
    if version is None or not version.is_sealed:
        return render_pdf(render_html(doc, version, for_pdf=True))
    path = cached_path(version)
    if not path.exists():
        _keep_file(version, render_pdf(render_html(doc, version, for_pdf=True)))
    return path.read_bytes()
