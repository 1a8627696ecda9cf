"""Digests as they would be sent, printed (and optionally saved) without sending: `dondoc digest`
and `dondoc demo`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import Config
from crawler.errors import DondocError
from crawler.extract.normalize import unmarked

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def units_with_tasks(session: Session) -> list[str]:
    """Every unit named as lead or support of a tracked task, in a stable order."""
    from crawler.storage.tasks import load_tasks

    names = {unit for task in load_tasks(session) for unit in task.units}
    return sorted(names)


def units_with_digests(session: Session) -> list[str]:
    """The concrete units named on tasks, each once: groups reach their members' digests and names
    that cannot be placed go to the operator's list, so neither has a digest of its own."""
    from crawler.storage.units import unit_resolver
    from notifier.routing import digest_units

    return digest_units(units_with_tasks(session), unit_resolver(session))


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
    ascii_name = unmarked(name).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())[:80] or "don-vi"


def known_unit_names(session: Session, config: Config) -> list[str]:
    """Every unit a digest can be asked for: units named on tasks first, then the configured units and
    their aliases, then the gazetteer's units."""
    from crawler.storage.units import default_directory

    directory = default_directory()
    configured = [name for unit in config.units for name in (unit.name, *unit.aliases)]
    return [*units_with_tasks(session), *configured, *(directory.all_units() if directory else ())]


def require_known_unit(session: Session, config: Config, unit: str) -> None:
    """Refuse a unit name no task, config or gazetteer knows (even through an alias), suggesting the
    closest names."""
    from crawler.extract.normalize import match_key
    from crawler.storage.units import unit_resolver
    from notifier.names import suggestion

    names = known_unit_names(session, config)
    known = {match_key(name) for name in names}
    if match_key(unit) in known or match_key(unit_resolver(session).canonical(unit)) in known:
        return
    raise DondocError(f"không có đơn vị “{unit}” trong danh mục đơn vị. {suggestion(unit, names)}")
