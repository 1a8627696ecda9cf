"""The dashboard's chart of tasks falling due by week: counts per unit and week, links to units."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.notify.notify_helpers import add_task
from tests.webapp.browser import browser_page, live_app
from tests.webapp.test_web_access import log_in
from tests.webapp.webdata import AS_OF, FINANCE, HEALTH, PASSWORD, Seeded
from web.charts import week_loads
from web.data import unit_rows


def test_weeks_count_open_tasks_per_unit(web_engine: Engine, seeded: Seeded) -> None:
    with Session(web_engine) as session:
        add_task(session, "d", "Tổng kết công tác y tế cơ sở", [HEALTH], dt.date(2025, 10, 13))
        add_task(session, "e", "Quyết toán ngân sách", [FINANCE], dt.date(2025, 10, 19))
        add_task(session, "f", "Đề án xa", [FINANCE], dt.date(2026, 1, 30))
        session.commit()
        rows = {unit: unit_rows(session, unit, AS_OF) for unit in (HEALTH, FINANCE)}
    loads = week_loads(rows, AS_OF, weeks=3)
    assert [load.start for load in loads] == [dt.date(2025, 9, 29), dt.date(2025, 10, 6),
                                              dt.date(2025, 10, 13)]
    assert [load.units for load in loads] == [((HEALTH, 1),), (), ((HEALTH, 1), (FINANCE, 1))]


def test_dashboard_shows_the_week_chart_linking_to_units(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "bientap")
    page = client.get("/").text
    assert "Nhiệm vụ đến hạn theo tuần" in page
    assert f"<title>{HEALTH}: 1 nhiệm vụ đến hạn tuần 29/09 – 05/10</title>" in page
    assert f'<a href="/don-vi/{quote(HEALTH, safe="")}"><title>' in page


@pytest.mark.slow
def test_a_week_bar_opens_the_units_list_on_a_phone(web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/dang-nhap")
        page.fill("input[name=ten]", "bientap")
        page.fill("input[name=mat_khau]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click(f"svg.chart-weeks a[href='/don-vi/{quote(HEALTH, safe='')}'] rect")
        assert page.locator("h1").inner_text() == HEALTH
