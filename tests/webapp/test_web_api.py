"""/api/tasks gives the FORMAT.md fields of each task with its state now and its whole history."""

from __future__ import annotations

import datetime as dt

from starlette.testclient import TestClient

from tests.webapp.test_web_access import csrf_of, log_in
from tests.webapp.webdata import HEALTH, Seeded

FORMAT_FIELDS = {"action", "source_refs", "lead", "support", "deadline", "status"}


def test_tasks_carry_format_fields_state_and_history(client: TestClient, seeded: Seeded) -> None:
    client.get(f"/lien-ket/{seeded.health_link}")
    path = f"/nhiem-vu/{seeded.overdue}"
    client.post(f"{path}/dang", data={"csrf": csrf_of(client, path), "ghi_chu": "đã có dự thảo"})
    log_in(client, "bientap")
    tasks = {row["id"]: row for row in client.get("/api/tasks").json()}
    task = tasks[seeded.overdue]
    assert set(task) >= FORMAT_FIELDS
    assert set(task["deadline"]) == {"raw", "due", "time", "precision"}
    assert task["source_refs"] == ["12/KH-UBND"] and task["lead"] == [HEALTH]
    assert (task["status"], task["state"]) == (None, "in_progress")
    assert task["progress"]["note"] == "đã có dự thảo" and task["progress"]["unit"] == HEALTH
    kinds = [event["kind"] for event in task["history"]]
    assert kinds == ["new", "progress_reported"]
    report = task["history"][1]
    assert (report["new"], report["by"], report["note"]) == ("in_progress", "liên kết của Bộ Y tế",
                                                             "đã có dự thảo")
    assert dt.datetime.fromisoformat(report["at"]).tzinfo is not None
    assert tasks[seeded.finance]["history"] == [] and tasks[seeded.finance]["progress"] is None
