"""Between meetings in a real browser (real server, eventlet, CSRF on): a member on another page
gets the invitation live (bell + notice), answers "xin vắng" with a reason from the list, and the
chair sees it in the room as a proposed reason and accepts it; the handbook page on a phone.
Screenshots go to test-artifacts/ (looked at: notifications_*.png, handbook_phone.png)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from core.timeutil import VIETNAM
from tests import live_server
from tests.browser.pages import DESKTOP, PHONE, TIMEOUT, log_in, start_meeting
from tests.browser.test_room_browser import person, shoot

REASON = "Đi khám bệnh định kỳ"


def _selected(form: str, name: str) -> str:
    """The value of the option the form preselected in the select `name` (the secretary)."""
    block = re.search(rf'<select[^>]*name="{name}".*?</select>', form, re.S).group(0)
    option = next(o for o in re.findall(r"<option[^>]*>", block) if "selected" in o)
    return re.search(r'value="(\d+)"', option).group(1)


def _schedule(base: str, title: str) -> int:
    """The secretary schedules through the meeting form (HTTP, with its CSRF token)."""
    http = live_server.login(base, "bithu")
    home = http.get(base + "/", timeout=10).text
    cell_id = int(re.search(r'href="/cells/(\d+)"', home).group(1))
    url = f"{base}/cells/{cell_id}/meetings/new"
    form = http.get(url, timeout=10).text
    chair = _selected(form, "chair_id")
    day = datetime.now(VIETNAM) + timedelta(days=2)
    response = http.post(
        url,
        data={
            "csrf_token": live_server.csrf_token(form),
            "kind": "extraordinary",
            "title": title,
            "scheduled_at": day.strftime("%Y-%m-%dT19:30"),
            "place": "Nhà văn hóa khu phố 1",
            "online_url": "",
            "chair_id": chair,
            "minute_taker_id": chair,
            "agenda-0-title": "Bàn việc khẩn",
            "agenda-0-planned_minutes": "30",
        },
        timeout=10,
    )
    match = re.search(r"/meetings/(\d+)$", response.url)
    assert match, response.text[:2000]
    return int(match.group(1))


def test_invitation_live_reply_and_the_chairs_room(browser, server, console, artifacts_dir):
    base = server.url
    member_ctx, member = person(browser, console, "dangvien2", PHONE)
    chair_ctx, chair = person(browser, console, "bithu", DESKTOP)
    log_in(member, base, "dangvien2")
    member.goto(base + "/me")  # another page than the room
    expect(member.locator("#bell")).to_be_visible()
    before = int(member.locator("#bell-count").text_content() or 0)
    # The page's socket is up before the invitation is sent.
    member.wait_for_function("() => window.chiboSocket && window.chiboSocket.connected")

    title = "Sinh hoạt bất thường <b>khẩn</b>"
    meeting_id = _schedule(base, title)
    expect(member.locator("#bell-count")).to_have_text(str(before + 1))
    toast = member.locator("#bell-toast")
    expect(toast).to_be_visible()
    expect(toast).to_have_text(f"Giấy mời: {title}")  # text, not markup
    shoot(member, artifacts_dir, "notifications_live_phone", full_page=False)

    toast.locator("a").click()
    item = member.locator("li.notification", has_text=title).first
    expect(item).to_be_visible()
    expect(member.locator("#bell-count")).to_be_hidden()  # read now
    item.locator("input[value=excused]").check()
    item.locator("input[name=reason]").fill(REASON)
    item.locator("button[type=submit]").click()
    expect(member.locator(".flash-info")).to_contain_text("Trả lời đã được gửi")
    expect(member.locator("li.notification .reply-state").first).to_contain_text(REASON)
    shoot(member, artifacts_dir, "notifications_list_phone")

    log_in(chair, base, "bithu")
    chair.goto(f"{base}/meetings/{meeting_id}")
    expect(chair.locator("#conn")).to_have_attribute("data-state", "connected")
    row = chair.locator("#roster li", has_text="Phạm Thị Hương")
    expect(row).to_contain_text(f"Xin vắng: {REASON}")
    start_meeting(chair)
    accept = row.locator("button", has_text="Chấp nhận lý do")
    expect(accept).to_be_visible(timeout=TIMEOUT)
    shoot(chair, artifacts_dir, "notifications_room_desktop")
    accept.click()
    expect(row).to_contain_text(f"Vắng có lý do — {REASON}")
    expect(row.locator("button", has_text="Chấp nhận lý do")).to_have_count(0)

    # The leaders' view: the answer is there too.
    chair.goto(f"{base}/meetings/{meeting_id}/invitations")
    expect(chair.locator("#invitations-table")).to_contain_text(REASON)
    shoot(chair, artifacts_dir, "notifications_invitations_desktop")
    member_ctx.close()
    chair_ctx.close()


def test_the_handbook_page_on_a_phone(browser, server, console, artifacts_dir):
    context, page = person(browser, console, "dangvien5", PHONE)
    log_in(page, server.url, "dangvien5")
    page.locator("a.account-short").click()
    expect(page.locator("h1")).to_have_text("Sổ tay đảng viên")
    expect(page.locator("#coming-h")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Đi công tác tại Hà Nội đến hết tuần")
    # Nothing wider than the phone's screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, artifacts_dir, "handbook_phone")
    page.locator("#phone").fill("0987 654 321")
    page.locator("#email").fill("sai-dia-chi")
    page.locator("form.stack button[type=submit]").first.click()
    expect(page.locator("p.error")).to_contain_text("không hợp lệ")
    page.locator("#email").fill("tuan@example.org")
    page.locator("form.stack button[type=submit]").first.click()
    expect(page.locator(".flash-info")).to_be_visible()
    expect(page.locator("main")).to_contain_text("tuan@example.org")
    context.close()
