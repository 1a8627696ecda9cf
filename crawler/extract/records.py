"""The JSON record of a task, exactly as eval/FORMAT.md describes it."""

from __future__ import annotations

import re

from crawler.extract.normalize import trim_text
from crawler.models import ExtractedTask

# A provincial department with its province ("Sở Tài chính tỉnh Nghệ An"): routing keeps the place,
# the record prints the plain name (CONVENTIONS.md: "Provincial departments keep their plain name").
_DEPARTMENT = re.compile(r"^(Sở\s.+?)\s+(?:tỉnh|thành phố)\s+[A-ZĐÀ-Ỹ][^,;]*$")


def plain_name(unit: str) -> str:
    """A unit as the record names it: a provincial department without its province."""
    m = _DEPARTMENT.match(unit)
    return m.group(1) if m else unit


def task_record(task: ExtractedTask, seed: str) -> dict[str, object]:
    """One task as a FORMAT.md record (ISO dates, "HH:MM" time, precision string, lists)."""
    deadline = task.deadline
    return {
        "seed": seed,
        "line": task.line,
        "anchor": task.anchor,
        "action": trim_text(task.action),
        "source_refs": list(task.source_refs),
        "lead": list(dict.fromkeys(plain_name(u) for u in task.lead)),
        "support": list(dict.fromkeys(plain_name(u) for u in task.support)),
        "deadline": {
            "raw": deadline.raw,
            "due": deadline.due.isoformat() if deadline.due else None,
            "time": deadline.time.strftime("%H:%M") if deadline.time else None,
            "precision": deadline.precision.value,
        },
        "status": task.status.value if task.status else None,
        "note": task.note,
    }
