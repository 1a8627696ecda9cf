"""Digests as they would be sent, printed (and optionally saved) without sending: `dondoc digest`
and `dondoc demo`."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def units_with_tasks(session: Session) -> list[str]:
    """Every unit named as lead or support of a tracked task, in a stable order."""
    from notifier.queries import load_task_views

    names = {unit for view in load_task_views(session) for unit in (*view.lead, *view.support)}
    return sorted(names)


def print_unit_digests(
    session: Session, units: Sequence[str], as_of: dt.date, channel: str, out_dir: Path | None
) -> int:
    """Print (and optionally save) each unit's digest as it would be sent; return how many had one."""
    from notifier.planning import preview_unit_digest

    printed = 0
    for unit in units:
        text = preview_unit_digest(session, unit, as_of, channel=channel)
        if not text:
            continue
        printed += 1
        print(f"\n{'=' * 78}\n{text}")
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{printed:03d}-{slug(unit)}.txt").write_text(text, encoding="utf-8")
    return printed


def slug(name: str) -> str:
    """An ASCII file name for a unit name."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())[:80] or "don-vi"
