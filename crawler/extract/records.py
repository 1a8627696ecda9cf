"""The JSON record of a task, exactly as eval/FORMAT.md describes it."""

from __future__ import annotations

from crawler.models import ExtractedTask


def task_record(task: ExtractedTask, seed: str) -> dict[str, object]:
    """One task as a FORMAT.md record (ISO dates, "HH:MM" time, precision string, lists)."""
    deadline = task.deadline
    return {
        "seed": seed,
        "line": task.line,
        "anchor": task.anchor,
        "action": task.action[:300],
        "source_refs": list(task.source_refs),
        "lead": list(task.lead),
        "support": list(task.support),
        "deadline": {
            "raw": deadline.raw,
            "due": deadline.due.isoformat() if deadline.due else None,
            "time": deadline.time.strftime("%H:%M") if deadline.time else None,
            "precision": deadline.precision.value,
        },
        "status": task.status.value if task.status else None,
        "note": task.note,
    }
