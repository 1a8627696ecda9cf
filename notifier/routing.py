"""Routing: which units get a digest of their own, which tasks reach a unit through a group ("giao
chung"), and which names the operator must place ("cần xác định đơn vị").

A task's names stay as written. A name is one unit, a group whose members the gazetteer knows (its
tasks reach each member that follows them, once), or a name that cannot be placed: a provincial
body without its province, or a group nobody can list. The last two never get a digest of their
own; they go to the operator's list that `dondoc status` shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.membership import Placement, placement
from crawler.storage.tasks import TrackedTask
from crawler.storage.units import UnitResolver
from notifier.digest import LEAD, SHARED, SUPPORT


@dataclass(frozen=True)
class UnplacedName:
    """A name on open tasks that no digest takes: how many open tasks name it, and how many of those
    name no unit or group at all (they reach nobody until the operator says who is meant)."""

    name: str
    tasks: int
    unrouted: int


def task_roles(
    tasks: Iterable[TrackedTask], units: Sequence[str], resolver: UnitResolver
) -> dict[int, str]:
    """How each task concerns `units`: LEAD or SUPPORT when one of its lead or support names is one
    of the units itself (in any spelling), else SHARED: it reaches them only through a group they
    belong to, shown as "giao chung"."""
    own = frozenset(key for unit in units for key in resolver.reach(unit))
    return {
        task.id: LEAD if resolver.keys_of_all(task.lead) & own
        else SUPPORT if resolver.keys_of_all(task.support) & own else SHARED
        for task in tasks
    }


def digest_units(names: Iterable[str], resolver: UnitResolver) -> list[str]:
    """The concrete units among names on tasks, each once under its canonical name, sorted: the units
    that have a digest of their own (groups and unplaced names have none)."""
    found = {
        resolver.canonical(name) for name in names if placement(name, resolver) is Placement.UNIT
    }
    return sorted(found)


def unplaced_names(
    addressees: Iterable[tuple[tuple[str, ...], int]], resolver: UnitResolver
) -> list[UnplacedName]:
    """The names to place, from (names of open tasks, how many tasks) pairs: most tasks first."""
    tasks: dict[str, int] = {}
    unrouted: dict[str, int] = {}
    for names, count in addressees:
        places = {name: placement(name, resolver) for name in names}
        stuck = [name for name, where in places.items() if where is Placement.UNPLACED]
        routed = len(stuck) < len(places)
        for name in dict.fromkeys(resolver.canonical(name) for name in stuck):
            tasks[name] = tasks.get(name, 0) + count
            unrouted[name] = unrouted.get(name, 0) + (0 if routed else count)
    return [
        UnplacedName(name, tasks[name], unrouted[name])
        for name in sorted(tasks, key=lambda n: (-tasks[n], n))
    ]
