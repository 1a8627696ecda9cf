"""The Atom feed of a unit's new and changed tasks, parsed back with xml.etree."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.storage.progress import UnitReport, record_report
from crawler.storage.tasks import EventKind
from tests.webapp.test_web_access import log_in
from tests.webapp.webdata import FINANCE, HEALTH, Seeded

NS = {"a": "http://www.w3.org/2005/Atom"}


def feed(client: TestClient, path: str) -> ET.Element:
    """The feed at a path, parsed, after checking its media type and the Atom required elements."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, NS) is not None, required
    for entry in root.findall("a:entry", NS):
        for required in ("a:id", "a:title", "a:updated", "a:link"):
            assert entry.find(required, NS) is not None, required
        dt.datetime.fromisoformat(entry.findtext("a:updated", namespaces=NS) or "")
    return root


def titles(root: ET.Element) -> list[str]:
    """The entries' titles, in feed order."""
    return [entry.findtext("a:title", namespaces=NS) or "" for entry in root.findall("a:entry", NS)]


def test_unit_link_token_opens_its_units_feed(client: TestClient, web_engine: Engine, seeded: Seeded) -> None:
    with Session(web_engine) as session:
        record_report(session, UnitReport(
            task_id=seeded.overdue, kind=EventKind.PROGRESS_REPORTED, value="in_progress",
            note="đã có dự thảo", by="Văn phòng Bộ Y tế", unit=HEALTH, channel="telegram", address="42",
            at=dt.datetime(2025, 9, 30, 3, 0, tzinfo=dt.UTC)))
        session.commit()
    root = feed(client, f"/atom/{seeded.health_link}.xml")
    assert HEALTH in (root.findtext("a:title", namespaces=NS) or "")
    found = titles(root)
    assert found[0].startswith(f"Đơn vị báo cáo tiến độ: #{seeded.overdue} ")
    assert sorted(found[1:]) == sorted([f"Mới xuất hiện: #{seeded.soon} Rà soát thủ tục hành chính lĩnh "
                                        "vực khám bệnh", f"Mới xuất hiện: #{seeded.overdue} Báo cáo kết "
                                        "quả chuyển đổi số ngành y tế"])
    first = root.findall("a:entry", NS)[0]
    summary = first.findtext("a:summary", namespaces=NS) or ""
    assert "đang thực hiện (Văn phòng Bộ Y tế) – đã có dự thảo" in summary
    link = first.find("a:link", NS)
    assert link is not None and link.get("href", "").endswith(f"/nhiem-vu/{seeded.overdue}")
    assert not any("ngân sách" in title for title in found)


def test_feed_needs_a_token_or_a_login_that_sees_the_unit(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/atom/khong-co-ma.xml").status_code == 404
    assert client.get(f"/atom/{seeded.expired_link}.xml").status_code == 404
    finance = "/atom/don-vi/" + quote(FINANCE, safe="")
    assert client.get(finance).status_code == 303
    client.get(f"/lien-ket/{seeded.health_link}")
    assert client.get(finance).status_code == 403
    assert len(titles(feed(client, "/atom/don-vi/" + quote(HEALTH, safe="")))) == 2
    log_in(client, "bientap")
    assert titles(feed(client, finance)) == []
