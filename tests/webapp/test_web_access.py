"""Access rules, CSRF and the login throttle of the web application."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.storage.engine import session_factory
from crawler.storage.schema import WebLoginFailure
from tests.webapp.webdata import AS_OF, FINANCE, HEALTH, PASSWORD, Seeded
from web.app import create_app
from web.auth import LOGIN_WINDOW_S, LoginThrottle


def csrf_of(client: TestClient, path: str = "/dang-nhap") -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    """Submit the login form; the response status."""
    token = csrf_of(client)
    return client.post("/dang-nhap", data={"csrf": token, "ten": name, "mat_khau": password}).status_code


def unit_url(unit: str) -> str:
    """A unit page's path."""
    return "/don-vi/" + quote(unit, safe="")


def test_operator_page_redirects_to_login_without_a_session(client: TestClient) -> None:
    response = client.get("/van-hanh")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dang-nhap")
    assert client.get("/").status_code == 303
    assert client.get(unit_url(HEALTH)).status_code == 303


def test_editor_sees_dashboard_and_units_but_not_operator_page(client: TestClient) -> None:
    assert log_in(client, "bientap") == 303
    page = client.get("/")
    assert page.status_code == 200
    assert HEALTH in page.text and "<svg" in page.text
    assert client.get(unit_url(FINANCE)).status_code == 200
    assert client.get("/van-hanh").status_code == 403


def test_operator_page_lists_outbox_and_unplaced_names(client: TestClient) -> None:
    assert log_in(client, "vanhanh") == 303
    page = client.get("/van-hanh")
    assert page.status_code == 200
    assert "Cần xác định đơn vị" in page.text and "Hộp thư đi" in page.text


def test_wrong_password_is_refused(client: TestClient) -> None:
    assert log_in(client, "bientap", "sai-mat-khau-roi") == 401
    assert client.get("/").status_code == 303


def test_login_attempts_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert log_in(client, "bientap", "sai-mat-khau-roi") == 401
    assert log_in(client, "bientap") == 429


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    client.get("/dang-nhap")
    response = client.post("/dang-nhap", data={"csrf": "gia-mao", "ten": "bientap", "mat_khau": PASSWORD})
    assert response.status_code == 403
    assert client.get("/").status_code == 303


def test_unit_link_opens_only_its_unit(client: TestClient, seeded: Seeded) -> None:
    response = client.get(f"/lien-ket/{seeded.health_link}")
    assert response.status_code == 303
    assert response.headers["location"] == unit_url(HEALTH)
    page = client.get(unit_url(HEALTH))
    assert page.status_code == 200 and "chuyển đổi số" in page.text
    assert client.get(unit_url(FINANCE)).status_code == 403
    assert client.get(f"/nhiem-vu/{seeded.finance}").status_code == 403
    assert client.get("/van-hanh").status_code == 403
    assert client.get("/api/tasks").status_code == 401


def test_expired_and_unknown_links_open_nothing(client: TestClient, seeded: Seeded) -> None:
    assert client.get(f"/lien-ket/{seeded.expired_link}").status_code == 403
    assert client.get("/lien-ket/khong-co-ma-nay").status_code == 403
    assert client.get(unit_url(HEALTH)).status_code == 303


def test_unit_link_marks_its_task_done_with_csrf(client: TestClient, seeded: Seeded) -> None:
    client.get(f"/lien-ket/{seeded.health_link}")
    path = f"/nhiem-vu/{seeded.overdue}"
    assert client.post(f"{path}/xong", data={"csrf": "gia-mao"}).status_code == 403
    token = csrf_of(client, path)
    assert client.post(f"/nhiem-vu/{seeded.finance}/xong", data={"csrf": token}).status_code == 403
    done = client.post(f"{path}/xong", data={"csrf": token, "ghi_chu": "đã gửi báo cáo"})
    assert done.status_code == 303
    page = client.get(path).text
    assert "Đơn vị báo cáo tiến độ: đã hoàn thành" in page and "đã gửi báo cáo" in page
    assert "Đánh dấu đã hoàn thành" not in page
    overdue_list = client.get(unit_url(HEALTH) + "?loc=qua-han").text
    assert f"#{seeded.overdue} " not in overdue_list


def test_unit_filters_search_and_pages(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "bientap")
    overdue = client.get(unit_url(HEALTH) + "?loc=qua-han").text
    assert f"#{seeded.overdue} " in overdue and f"#{seeded.soon} " not in overdue
    soon = client.get(unit_url(HEALTH) + "?loc=sap-den-han").text
    assert f"#{seeded.soon} " in soon and f"#{seeded.overdue} " not in soon
    new = client.get(unit_url(HEALTH) + "?loc=moi").text
    assert f"#{seeded.soon} " in new and f"#{seeded.overdue} " not in new
    found = client.get(unit_url(HEALTH) + "?q=KHÁM BỆNH").text
    assert f"#{seeded.soon} " in found and f"#{seeded.overdue} " not in found


def test_login_throttle_survives_a_restart(web_engine: Engine, seeded: Seeded) -> None:
    """Failures are counted in the database: a new application on it still refuses the name."""
    first = create_app(web_engine, "bi-mat-thu-nghiem", as_of=AS_OF)
    with TestClient(first, follow_redirects=False) as before:
        for _ in range(5):
            assert log_in(before, "bientap", "sai-mat-khau-roi") == 401
    restarted = create_app(web_engine, "bi-mat-khac", as_of=AS_OF)
    with TestClient(restarted, follow_redirects=False) as after:
        assert log_in(after, "bientap") == 429
        assert log_in(after, "vanhanh", "sai-mat-khau-roi") == 429  # same client address


def test_login_failures_expire_after_the_window(web_engine: Engine) -> None:
    now = [dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC)]
    throttle = LoginThrottle(session_factory(web_engine), clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("10.0.0.1", "bientap")
    assert throttle.blocked("10.0.0.2", "bientap") and throttle.blocked("10.0.0.1", "khac")
    assert not throttle.blocked("10.0.0.2", "khac")
    now[0] += dt.timedelta(seconds=LOGIN_WINDOW_S + 1)
    assert not throttle.blocked("10.0.0.1", "bientap")
    throttle.failed("10.0.0.1", "bientap")
    with Session(web_engine) as session:
        assert session.scalar(select(func.count()).select_from(WebLoginFailure)) == 2  # old ones dropped
