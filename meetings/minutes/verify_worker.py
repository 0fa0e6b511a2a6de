"""Finding the verification code in an uploaded PDF, in a worker process with hard limits.

An anonymous upload to /verify is hostile until proven otherwise: a 100 KB PDF with compressed
text streams kept pypdf busy 4.4 s a page inside the web process, stalling every meeting. Here the
parser runs in its own process at low priority with caps on CPU time, memory and pages; whatever
the file makes it do ends in "no code found". Imports nothing of the app.
"""

from __future__ import annotations

import io
import os
import re
import resource
import sys

CODE = re.compile(rb"\b([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}|[0-9a-f]{64})\b")
MAX_PAGES = 2  # the code is printed at the foot of every page: the first one is enough
CPU_SECONDS = 2
MEMORY_BYTES = 512 * 1024 * 1024


def limit_myself() -> None:
    """Caps set from inside the worker (the parent spawns it without a pre-exec hook)."""
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        os.nice(10)  # the live meetings go first
    except OSError:
        pass


def find_code(data: bytes) -> str:
    """The first code in the text of the first pages, or ""."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages[:MAX_PAGES]:
        match = CODE.search((page.extract_text() or "").encode())
        if match:
            return match.group(1).decode()
    return ""


def main() -> None:
    """`python -m meetings.minutes.verify_worker`: the PDF on stdin, the code (or nothing) on
    stdout. Any failure exits non-zero; the caller reads that as "no code"."""
    limit_myself()
    sys.stdout.write(find_code(sys.stdin.buffer.read()))


if __name__ == "__main__":
    main()
