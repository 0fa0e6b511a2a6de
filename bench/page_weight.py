"""Page weight: the JavaScript and CSS a browser downloads to open the meeting room.

Starts a real server (`python app.py`, demo data; or uses --url), logs in through the login form,
fetches the room of the demo's scheduled meeting, then every script and stylesheet the page
references (<script src>, <link rel=stylesheet>, wherever they are in the page). For each asset
it prints the raw size, the gzip size at level 6 (a common server setting) and what the server
actually sent (its Content-Encoding, if any), then the totals. The budget (issue 8): under
150 KB of JavaScript and CSS, compressed.

Independent of the test suite. Run: .venv/bin/python bench/page_weight.py [--url URL] [--user U]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_KB = 150


class Assets(HTMLParser):
    """The scripts and stylesheets a page references, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(("js", a["src"]))
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(("css", a["href"]))


def measure(base: str, username: str) -> int:
    from tests import live_server

    http = live_server.login(base, username)
    meeting_id = live_server.scheduled_meeting_id(base, http)
    room_url = f"{base}/meetings/{meeting_id}"
    page = http.get(room_url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    page.raise_for_status()
    parser = Assets()
    parser.feed(page.text)
    html_raw = len(page.content)
    print(
        f"room page {room_url}: HTML {html_raw / 1024:.1f} KB raw, "
        f"{len(gzip.compress(page.content, 6)) / 1024:.1f} KB gzip-6, "
        f"sent {page.headers.get('Content-Encoding') or 'uncompressed'}"
    )
    print()
    print(f"{'asset':<44} {'kind':<4} {'raw KB':>8} {'gzip-6 KB':>10}  sent as")
    totals = {"raw": 0, "gzip": 0, "sent": 0}
    seen = set()
    for kind, src in parser.urls:
        url = urljoin(room_url, src)
        if url in seen:
            continue
        seen.add(url)
        response = http.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
        response.raise_for_status()
        on_wire = response.raw.read(decode_content=False)  # the bytes as sent
        encoding = response.headers.get("Content-Encoding") or "uncompressed"
        body = gzip.decompress(on_wire) if encoding == "gzip" else on_wire
        packed = len(gzip.compress(body, compresslevel=6))
        totals["raw"] += len(body)
        totals["gzip"] += packed
        totals["sent"] += len(on_wire)
        name = re.sub(r"^https?://[^/]+", "", url)
        print(
            f"{name:<44} {kind:<4} {len(body) / 1024:>8.1f} {packed / 1024:>10.1f}  "
            f"{encoding} ({len(on_wire) / 1024:.1f} KB)"
        )
    print("-" * 84)
    raw, packed, sent = (totals[k] / 1024 for k in ("raw", "gzip", "sent"))
    print(
        f"{'total JavaScript + CSS':<49} {raw:>8.1f} {packed:>10.1f}  "
        f"({sent:.1f} KB as this server sent it)"
    )
    verdict = "within" if packed < BUDGET_KB else "OVER"
    print(
        f"budget: < {BUDGET_KB} KB compressed — {verdict} "
        f"({packed:.1f} KB gzip-6; {raw:.1f} KB even uncompressed)"
    )
    return 0 if verdict == "within" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running chibo (default: start one with the demo data)")
    parser.add_argument("--user", default="bithu", help="who opens the room (default: bithu)")
    args = parser.parse_args()
    if args.url:
        return measure(args.url.rstrip("/"), args.user)
    from tests import live_server

    with tempfile.TemporaryDirectory() as tmp, live_server.running(Path(tmp)) as server:
        return measure(server.url, args.user)


if __name__ == "__main__":
    sys.exit(main())
