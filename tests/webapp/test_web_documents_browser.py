"""The Văn bản page driven in headless Chromium: an editor corrects a task's lead, the crawl's
extraction reads the document again, and the correction holds; a unit's link sees no form."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.schema import Document
from tests.webapp.browser import browser_page, live_app
from tests.webapp.letters import EXTRACTED_AT, FINANCE_NA, POLICE, store_letter
from tests.webapp.webdata import PASSWORD, Seeded

pytestmark = pytest.mark.slow


def _extracted_at(engine: Engine, document_id: int) -> dt.datetime:
    """When the crawl's extraction step last read the document (UTC)."""
    with Session(engine) as session:
        stamp = session.get_one(Document, document_id).extracted_at
    assert stamp is not None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def test_editor_corrects_a_lead_and_it_survives_reextraction(web_engine: Engine, seeded: Seeded) -> None:
    letter = store_letter(web_engine)
    entry = f"#task-{letter.police_task}"
    with live_app(web_engine) as base, browser_page() as page:
        page.goto(f"{base}/van-ban/{letter.document_id}")
        page.fill("input[name=ten]", "bientap")
        page.fill("input[name=mat_khau]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        assert page.locator("mark.nv").count() == 2
        assert "Công an tỉnh chủ trì" in page.locator(f"mark.nv:has(#nv-{letter.police_task})").inner_text()
        page.click(f"{entry} summary")
        page.fill(f"{entry} input[name=chu_tri]", FINANCE_NA)
        page.click(f"{entry} button:has-text('Lưu sửa đổi')")
        assert "Đã lưu sửa đổi" in page.locator("p.notice").inner_text()
        page.click("button:has-text('Trích xuất lại nhiệm vụ')")
        assert "Đã đọc lại văn bản" in page.locator("p.notice").inner_text()
        assert _extracted_at(web_engine, letter.document_id) > EXTRACTED_AT  # read again just now
        card = page.locator(entry).inner_text()
        assert f"Chủ trì: {FINANCE_NA}" in card and "đã sửa chủ trì" in card and "bởi bientap" in card
        page.goto(f"{base}/don-vi/{quote(FINANCE_NA, safe='')}")
        assert page.locator(f"ul.tasks a[href='/nhiem-vu/{letter.police_task}']").count() == 1
        page.click(f"ul.tasks a[href='/van-ban/{letter.document_id}#nv-{letter.police_task}']")
        assert page.locator("h1").inner_text() == "Về việc triển khai nhiệm vụ"
        page.goto(f"{base}/don-vi/{quote(POLICE, safe='')}")
        assert page.locator(f"ul.tasks a[href='/nhiem-vu/{letter.police_task}']").count() == 0
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/van-ban/{letter.document_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_unit_link_sees_its_document_without_forms_and_cannot_post(
        web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/lien-ket/{seeded.health_link}")
        page.click(f"a[href='/van-ban/1#nv-{seeded.overdue}']")
        assert page.locator(f"#task-{seeded.overdue}").count() == 1
        assert page.locator("form.correct, form.false-form, details.fix").count() == 0
        token = page.locator("input[name=csrf]").first.get_attribute("value")
        response = page.request.post(f"{base}/van-ban/1/nhiem-vu/{seeded.overdue}/sua",
                                     form={"csrf": token or "", "chu_tri": "Bộ Tài chính"})
        assert response.status == 403
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
