"""The WeasyPrint call, run in a worker process (imports nothing of the app).

Only `data:` URIs and files under the static folder may be fetched: the document's user text is
sanitized to tags without URLs, and this guard keeps it that way whatever slips through.
"""

from __future__ import annotations

import os
import time
from urllib.parse import unquote, urlsplit


def _fetcher(static_root: str):
    from weasyprint import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file" and not unquote(parts.path).startswith(static_root):
                raise ValueError(f"outside the static folder: {url}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"file", "data"}, timeout=5)


def lower_priority() -> None:
    """Renders yield the CPU to the live server: a late PDF is fine, a late vote is not."""
    try:
        os.nice(10)
    except OSError:
        pass


def render(html: str, static_root: str) -> tuple[bytes, float]:
    """HTML -> PDF bytes, with the seconds spent (for logs and the benchmark)."""
    from weasyprint import HTML

    start = time.perf_counter()
    base_url = "file://" + static_root.rstrip("/") + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=_fetcher(static_root))
    data = document.write_pdf(pdf_identifier=b"chibo-minutes", uncompressed_pdf=False)
    return data, time.perf_counter() - start


def main() -> None:
    """`python -m meetings.minutes.pdf_worker STATIC_ROOT`: HTML on stdin, PDF on stdout."""
    import sys

    lower_priority()
    data, _seconds = render(sys.stdin.buffer.read().decode("utf-8"), sys.argv[1])
    sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
