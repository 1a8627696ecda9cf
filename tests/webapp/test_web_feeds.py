"""The calendar feed (parsed with icalendar) and the JSON API."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from starlette.testclient import TestClient

from tests.webapp.test_web_access import csrf_of, log_in
from tests.webapp.webdata import HEALTH, Seeded


def events(client: TestClient, token: str) -> dict[str, dt.date]:
    """The feed's events: UID -> start day."""
    response = client.get(f"/lich/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    found = {}
    for event in calendar.walk("VEVENT"):
        assert event.walk("VALARM"), "each deadline has an alarm"
        found[str(event["UID"])] = event.decoded("DTSTART")
    return found


def test_calendar_lists_each_open_task_once_and_drops_a_done_one(client: TestClient, seeded: Seeded) -> None:
    before = events(client, seeded.calendar)
    assert before == {f"nhiem-vu-{seeded.overdue}@dondoc": dt.date(2025, 9, 20),
                      f"nhiem-vu-{seeded.soon}@dondoc": dt.date(2025, 10, 5)}
    client.get(f"/lien-ket/{seeded.health_link}")
    path = f"/nhiem-vu/{seeded.soon}"
    client.post(f"{path}/xong", data={"csrf": csrf_of(client, path)})
    assert set(events(client, seeded.calendar)) == {f"nhiem-vu-{seeded.overdue}@dondoc"}


def test_unknown_calendar_token_is_not_found(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/lich/khong-co.ics").status_code == 404
    assert client.get(f"/lich/{seeded.health_link}.ics").status_code == 404


def test_json_api_needs_a_login_and_gives_tasks_and_units(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/api/units").status_code == 401
    log_in(client, "bientap")
    units = {row["unit"]: row for row in client.get("/api/units").json()}
    assert units[HEALTH]["overdue"] == 1 and units[HEALTH]["due_soon"] == 1
    tasks = {row["id"]: row for row in client.get("/api/tasks").json()}
    assert tasks[seeded.overdue]["deadline"]["due"] == "2025-09-20"
    assert tasks[seeded.overdue]["overdue"] is True and tasks[seeded.overdue]["lead"] == [HEALTH]
    one = client.get("/api/tasks", params={"don-vi": HEALTH}).json()
    assert {row["id"] for row in one} == {seeded.overdue, seeded.soon}
