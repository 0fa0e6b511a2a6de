"""The cell's year in a real browser against the real server: the review of last month's tasks in
the room (a member on a phone marks their own, the chair on a desktop sees it live, drops one with a
reason and records a new task), the self-assessment form on a phone, and the cell's own report
(read on a phone, amended by the secretary). Screenshots at 360 and
1280 px go to test-artifacts/."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, PHONE, Http, log_in
from tests.browser.test_room_browser import person, shoot
from tests.live_server import scheduled_meeting_id


def _db(server) -> sqlite3.Connection:
    return sqlite3.connect(server.log_path.parent / "instance" / "chibo.db")


def test_task_review_in_the_room(browser, server, console, artifacts_dir):
    base = server.url
    chair_http = Http(base, "bithu")
    meeting_id = scheduled_meeting_id(base, chair_http.session)
    chair_http.command(meeting_id, "start_meeting", {"confirm_early": True})

    chair_ctx, chair = person(browser, console, "bithu", DESKTOP)
    member_ctx, member = person(browser, console, "dangvien3", PHONE)
    log_in(chair, base, "bithu")
    chair.goto(f"{base}/meetings/{meeting_id}#tasks")
    expect(chair.locator("#conn")).to_have_attribute("data-state", "connected")
    review = chair.locator("#tk-review")
    expect(review.locator("li.review-row").first).to_be_visible()
    lamp = review.locator("li", has_text="đèn chiếu sáng")
    expect(lamp).to_contain_text("Đang thực hiện")
    expect(review.locator("li.overdue").first).to_contain_text("Quá hạn")

    log_in(member, base, "dangvien3")
    member.goto(f"{base}/meetings/{meeting_id}")
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected")
    mine = member.locator("#tk-review li", has_text="đèn chiếu sáng")
    mine.scroll_into_view_if_needed()
    # A member marks only their own tasks and never drops one.
    expect(mine.locator("button[data-status=done]")).to_be_visible()
    expect(mine.locator("button[data-status=dropped]")).to_have_count(0)
    other = member.locator("#tk-review li", has_text="tổng vệ sinh")
    expect(other.locator("button")).to_have_count(0)
    shoot(member, artifacts_dir, "tasks_review_member_phone_before", full_page=False)
    mine.locator("button[data-status=done]").click()
    expect(lamp.locator(".badge.task-status")).to_have_text("Đã hoàn thành")  # live, on the chair's
    expect(lamp).to_contain_text("đánh giá tại cuộc họp")

    # The chair drops one, with a reason (the note form opens in the row).
    overdue = review.locator("li", has_text="tổng vệ sinh")
    overdue.locator("button[data-status=dropped]").click()
    overdue.locator("textarea").fill("Phường đã tổ chức thay")
    overdue.locator("button[type=submit]").click()
    expect(overdue.locator(".badge.task-status")).to_have_text("Thôi thực hiện")
    expect(member.locator("#tk-review li", has_text="tổng vệ sinh")).to_contain_text(
        "Phường đã tổ chức thay"
    )

    # The chair records next month's task: owners, deadline; the member sees it numbered.
    chair.locator("#tk-add-toggle").click()
    chair.locator("#tk-text").fill("Chuẩn bị hội nghị kiểm điểm cuối năm")
    chair.locator("#tk-owners label", has_text="Hoàng Văn Dũng").locator("input").check()
    chair.locator("#tk-due").fill("2099-12-31")
    chair.locator("#tk-add button[type=submit]").click()
    expect(member.locator("#tk-tasks li")).to_contain_text("Chuẩn bị hội nghị kiểm điểm")
    expect(member.locator("#tk-tasks li")).to_contain_text("31/12/2099")
    shoot(chair, artifacts_dir, "tasks_review_chair_desktop")
    member.locator("#tasks").scroll_into_view_if_needed()
    shoot(member, artifacts_dir, "tasks_review_member_phone_after")
    chair_ctx.close()
    member_ctx.close()


def test_self_assessment_form_on_a_phone(browser, server, console, artifacts_dir):
    base = server.url
    with _db(server) as conn:
        [(review_id,)] = conn.execute("SELECT id FROM meetings WHERE kind = 'year_review'")
    ctx, page = person(browser, console, "dangvien5", PHONE)
    log_in(page, base, "dangvien5")
    page.goto(f"{base}/meetings/{review_id}/self-assessment")
    form = page.locator("#sa-form")
    expect(form).to_be_visible()
    for i, area in enumerate(form.locator("textarea").all()):
        area.fill(f"Nội dung tự kiểm điểm số {i + 1}.")
    page.locator("#score").fill("80")
    page.locator("#grade").select_option("excellent")  # not the band of 80
    # The full-page screenshot resizes the viewport and back, as a phone's keyboard closing does:
    # the real tap that follows must still submit (.sa-form has no scroll anchoring; with it,
    # the page jumped between press and release and nothing was sent).
    shoot(page, artifacts_dir, "self_assessment_phone_form")
    submit = page.locator("#sa-form button[type=submit]")
    with page.expect_request(lambda r: r.method == "POST" and "self-assessment" in r.url):
        submit.click()
    expect(page.locator(".flash-error")).to_contain_text("Hoàn thành tốt nhiệm vụ")
    shoot(page, artifacts_dir, "self_assessment_phone_refused", full_page=False)
    for i, area in enumerate(page.locator("#sa-form textarea").all()):
        area.fill(f"Nội dung tự kiểm điểm số {i + 1}.")
    page.locator("#score").fill("80")
    page.locator("#grade").select_option("good")
    shoot(page, artifacts_dir, "self_assessment_phone_refused_corrected")
    with page.expect_request(lambda r: r.method == "POST" and "self-assessment" in r.url):
        submit.click()
    expect(page.locator("#sa-status")).to_be_visible()
    expect(page.locator(".flash-info")).to_contain_text("Đã nộp")
    with _db(server) as conn:
        [(score, grade)] = conn.execute(
            "SELECT score, grade FROM self_assessments s JOIN users u ON u.id = s.user_id"
            " WHERE s.meeting_id = ? AND u.username = 'dangvien5'",
            (review_id,),
        )
    assert (score, grade) == (80, "good")
    box = page.locator("#sa-form button[type=submit]").bounding_box()
    assert box["width"] <= PHONE["width"], "the submit button overflows a phone's width"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, artifacts_dir, "self_assessment_phone_submitted")

    # The secretary sees who submitted, in the review meeting's room.
    sec_ctx, sec = person(browser, console, "bithu", DESKTOP)
    log_in(sec, base, "bithu")
    sec.goto(f"{base}/meetings/{review_id}")
    expect(sec.locator("#conn")).to_have_attribute("data-state", "connected")
    row = sec.locator("#rv-members li", has_text="Đặng Quốc Tuấn")
    expect(row).to_contain_text("Đã nộp")
    expect(sec.locator("#rv-submitted")).to_contain_text("5/")
    shoot(sec, artifacts_dir, "review_room_secretary_desktop")

    # The cell's own report, drafted by the secretary: every member reads it in the room, and an
    # amendment saved from the secretary's form reaches the member's phone live.
    page.goto(f"{base}/meetings/{review_id}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    report = page.locator("#rv-report")
    expect(report.locator("summary")).to_contain_text("Báo cáo tự kiểm điểm của chi bộ")
    expect(report.locator("summary")).to_contain_text("Nguyễn Văn Hùng")
    expect(page.locator("#rv-report-link")).to_be_hidden()  # a member does not draft it
    report.locator("summary").click()
    expect(report.locator("#rv-report-answers")).to_contain_text("Lãnh đạo khu phố hoàn thành")
    expect(report.locator("#rv-report-score")).to_contain_text("82/100")
    shoot(page, artifacts_dir, "review_cell_report_member_phone", full_page=False)
    sec.locator("#rv-report-link a").click()
    cell_form = sec.locator("#cr-form")
    expect(cell_form).to_be_visible()
    cell_form.locator("textarea").nth(2).fill(
        "Khắc phục được việc chậm gửi tài liệu.\nĐã gửi tài liệu trước 3 ngày."
    )
    with sec.expect_request(lambda r: r.method == "POST" and "cell-report" in r.url):
        cell_form.locator("button[type=submit]").click()
    expect(sec.locator(".flash-info")).to_contain_text("Đã lưu")
    expect(report.locator("#rv-report-answers")).to_contain_text("Đã gửi tài liệu trước 3 ngày")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    report.scroll_into_view_if_needed()
    shoot(page, artifacts_dir, "review_cell_report_member_phone_amended", full_page=False)
    shoot(sec, artifacts_dir, "review_cell_report_form_desktop")
    ctx.close()
    sec_ctx.close()
