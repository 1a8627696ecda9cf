"""The pages driven in headless Chromium: an editor logs in; a unit head opens their unit through a
personal link, marks a task done, and cannot open another unit's page or the operator page."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine

from tests.webapp.browser import browser_page, live_app
from tests.webapp.webdata import FINANCE, HEALTH, PASSWORD, Seeded

pytestmark = pytest.mark.slow


def test_editor_logs_in_and_follows_a_chart_bar(web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page() as page:
        page.goto(f"{base}/van-hanh")
        assert "/dang-nhap" in page.url
        page.fill("input[name=ten]", "bientap")
        page.fill("input[name=mat_khau]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        assert "/van-hanh" in page.url  # back where the login was asked, which an editor may not see
        assert page.locator("h1").inner_text() == "Không được phép"
        page.goto(f"{base}/")
        assert page.locator("h1").inner_text() == "Tổng quan"
        page.click(f"svg.chart a[href*='{quote(HEALTH, safe='')}'] rect")
        assert page.locator("h1").inner_text() == HEALTH
        assert page.locator("ul.tasks li").count() == 1
        assert "chuyển đổi số" in page.locator("ul.tasks").inner_text()


def test_unit_link_marks_a_task_done_and_opens_nothing_else(web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/lien-ket/{seeded.health_link}")
        assert page.locator("h1").inner_text() == HEALTH
        page.click(f"a[href='/nhiem-vu/{seeded.overdue}']")
        page.fill("input[name=ghi_chu]", "Đã gửi báo cáo ngày 30/9")
        page.click("button:has-text('Đánh dấu đã hoàn thành')")
        assert "Đã ghi nhận" in page.locator("p.notice").inner_text()
        assert "Đã gửi báo cáo ngày 30/9" in page.locator("ol.history").inner_text()
        page.goto(f"{base}/don-vi/{quote(HEALTH, safe='')}?loc=qua-han")
        assert page.locator(f"a[href='/nhiem-vu/{seeded.overdue}']").count() == 0
        for path in (f"/don-vi/{quote(FINANCE, safe='')}", "/van-hanh", f"/nhiem-vu/{seeded.finance}"):
            response = page.goto(base + path)
            assert response is not None and response.status == 403, path
            assert page.locator("h1").inner_text() == "Không được phép"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
