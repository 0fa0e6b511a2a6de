"""Temporary smoke test: Playwright can launch Debian's Chromium here. Replaced by real tests."""

from urllib.parse import quote

HTML = "<!doctype html><html lang='vi'><title>chibo</title><h1>Chi bộ họp trực tuyến</h1></html>"


def test_chromium_renders_a_page(page, artifacts_dir):
    page.goto("data:text/html;charset=utf-8," + quote(HTML))
    assert page.locator("h1").inner_text() == "Chi bộ họp trực tuyến"
    shot = artifacts_dir / "smoke_chromium.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
