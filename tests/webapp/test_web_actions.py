"""A unit's own people report "in progress" with a note and ask for a later deadline from the task's
page; both are the task events the bots' /dang and /giahan record, with who and when."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.storage.progress import extension_requests
from crawler.storage.tasks import load_tasks
from tests.webapp.browser import browser_page, live_app
from tests.webapp.test_web_access import csrf_of, log_in
from tests.webapp.webdata import HEALTH, Seeded


def test_in_progress_needs_a_note_and_is_the_bots_event(client: TestClient, web_engine: Engine,
                                                        seeded: Seeded) -> None:
    client.get(f"/lien-ket/{seeded.health_link}")
    path = f"/nhiem-vu/{seeded.overdue}"
    token = csrf_of(client, path)
    empty = client.post(f"{path}/dang", data={"csrf": token, "ghi_chu": "  "})
    assert empty.status_code == 400 and "Hãy ghi kèm tiến độ" in empty.text
    done = client.post(f"{path}/dang", data={"csrf": token, "ghi_chu": "đã có dự thảo"})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Đã ghi nhận tiến độ: đang thực hiện." in page
    assert "Đơn vị báo cáo tiến độ: đang thực hiện (liên kết của Bộ Y tế) – đã có dự thảo" in page
    with Session(web_engine) as session:
        progress = load_tasks(session, [seeded.overdue])[0].progress
    assert progress is not None and (progress.state, progress.unit, progress.note) == (
        "in_progress", HEALTH, "đã có dự thảo")
    assert dt.datetime.now(dt.UTC) - progress.at < dt.timedelta(minutes=5)


def test_extension_request_is_checked_and_recorded_for_the_operator(
        client: TestClient, web_engine: Engine, seeded: Seeded) -> None:
    client.get(f"/lien-ket/{seeded.health_link}")
    path = f"/nhiem-vu/{seeded.soon}"
    token = csrf_of(client, path)
    early = client.post(f"{path}/gia-han", data={"csrf": token, "ngay": "2025-10-05", "ly_do": "chờ số liệu"})
    assert early.status_code == 400 and "Thời hạn hiện tại là 05/10/2025" in early.text
    past = client.post(f"{path}/gia-han", data={"csrf": token, "ngay": "2025-09-01", "ly_do": "chờ số liệu"})
    assert past.status_code == 400 and "phải sau hôm nay (01/10/2025)" in past.text
    no_reason = client.post(f"{path}/gia-han", data={"csrf": token, "ngay": "2025-10-31", "ly_do": ""})
    assert no_reason.status_code == 400 and "Hãy nêu lý do" in no_reason.text
    asked = client.post(f"{path}/gia-han", data={"csrf": token, "ngay": "2025-10-31", "ly_do": "chờ số liệu"})
    assert asked.status_code == 303
    with Session(web_engine) as session:
        (request,) = extension_requests(session)
    assert (request.task_id, request.requested, request.reason, request.unit, request.by) == (
        seeded.soon, dt.date(2025, 10, 31), "chờ số liệu", HEALTH, "liên kết của Bộ Y tế")
    assert "Đơn vị xin gia hạn: đến ngày 31/10/2025" in client.get(path).text


def test_only_the_units_own_link_may_act(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "bientap")
    token = csrf_of(client, f"/nhiem-vu/{seeded.overdue}")
    assert "Báo cáo đang thực hiện" not in client.get(f"/nhiem-vu/{seeded.overdue}").text
    data = {"csrf": token, "ghi_chu": "x", "ngay": "2025-12-31", "ly_do": "x"}
    assert client.post(f"/nhiem-vu/{seeded.overdue}/dang", data=data).status_code == 403
    client.get(f"/lien-ket/{seeded.health_link}")
    token = csrf_of(client, f"/nhiem-vu/{seeded.overdue}")
    data["csrf"] = token
    assert client.post(f"/nhiem-vu/{seeded.finance}/dang", data=data).status_code == 403
    assert client.post(f"/nhiem-vu/{seeded.finance}/gia-han", data=data).status_code == 403
    assert client.post(f"/nhiem-vu/{seeded.overdue}/gia-han", data={**data, "csrf": "gia"}).status_code == 403


@pytest.mark.slow
def test_unit_asks_for_a_new_deadline_in_the_browser(web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/lien-ket/{seeded.health_link}")
        page.click(f"a[href='/nhiem-vu/{seeded.soon}']")
        page.fill("input[name=ngay]", "2025-10-31")
        page.fill("textarea[name=ly_do]", "Chờ số liệu của các bệnh viện")
        page.click("button:has-text('Xin gia hạn')")
        assert "Đã gửi đề nghị gia hạn" in page.locator("p.notice").inner_text()
        history = page.locator("ol.history").inner_text()
        assert "Đơn vị xin gia hạn: đến ngày 31/10/2025" in history
        assert "Chờ số liệu của các bệnh viện" in history
        page.fill("textarea[name=ghi_chu]", "Đã tổng hợp 12/20 bệnh viện")
        page.click("button:has-text('Báo cáo đang thực hiện')")
        assert "đang thực hiện" in page.locator("p.notice").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
