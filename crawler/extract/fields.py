"""Labelled fields of plans: "Cơ quan thực hiện: …", "Thời gian hoàn thành: …" under task items.

Plans (Kế hoạch) give an activity's lead, support and deadline in labelled lines after its items;
the items of one activity form one task (CONVENTIONS.md) and take the fields' values, and a lead
field written with no value takes it from the "+" items below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from crawler.extract.deadlines import best_deadline, find_deadlines
from crawler.extract.normalize import fold, trim_text
from crawler.extract.segment import Block
from crawler.extract.subjects import support_of
from crawler.extract.walkstate import VERB_RE, RawTask, Walk
from crawler.models import Deadline

_LEADS_HERE = re.compile(r"\s+chủ trì(?!\w)")


DASHES = frozenset({"-", "–", "+", "•"})


LEAD_LABEL = re.compile(r"(?:cơ quan|đơn vị) (?:chủ trì|thực hiện)")


@dataclass
class Group:
    """Task items waiting for the labelled fields that follow them ("Đơn vị chủ trì: ...")."""

    first: int = -1  # index in the task list of the group's first task
    fields_seen: bool = False
    awaiting: str = ""  # a lead field written with no value ("- Cơ quan thực hiện:"): "+" items give it
    names: tuple[str, ...] = ()  # the items naming bodies that gave the awaiting field its value
    roles_given: bool = False  # a first "Sở X chủ trì, phối hợp với …" item gave lead and support


def names_roles(low: str) -> bool:
    """Tell whether an item under an empty lead field only names bodies and their roles ("Sở X chủ
    trì, phối hợp với …", "Sở Y"), rather than giving a body its own piece of work."""
    verb = VERB_RE.search(low)
    return len(low.split()) <= 12 if verb is None else verb.group() in ("chủ trì", "phối hợp")


def fill_field(tasks: list[RawTask], group: Group, block: Block, walk: Walk) -> None:
    """Give an empty lead field the item below it: items that only name bodies add to its lead; the
    first "Sở X chủ trì, phối hợp với …" item gives lead and support, and later ones add nothing."""
    if _LEADS_HERE.search(block.low) or "phối hợp" in block.low:
        if not group.names and not group.roles_given:
            apply_field(tasks, group, block.flat, group.awaiting, walk)
            group.roles_given = True
        return
    if group.roles_given:
        return  # a body named after "Sở X chủ trì, phối hợp với …" takes part; the lead stays
    group.names = (*group.names, block.flat.strip(" .;,"))
    apply_field(tasks, group, "; ".join(group.names), group.awaiting, walk)


def apply_field(tasks: list[RawTask], group: Group, value: str, label: str, walk: Walk) -> None:
    """Apply a labelled field (lead, support or deadline) to the task items above it, which
    together form one task."""
    if group.first < 0 or group.first >= len(tasks):
        return
    members = tasks[group.first :]
    if len({t.lead for t in members if t.lead}) > 1:  # items with leads of their own stay separate
        for index in range(group.first, len(tasks)):
            if not _has_own(tasks[index], label):
                tasks[index] = _with_field(tasks[index], value, label, walk)
        group.fields_seen = True
        return
    if not group.fields_seen and len(tasks) - group.first > 1:
        merged = tasks[group.first :]
        action = trim_text(" ".join(t.action for t in merged))
        tasks[group.first :] = [replace(merged[0], action=action)]
    group.fields_seen = True
    tasks[group.first] = _with_field(tasks[group.first], value, label, walk)


def _has_own(task: RawTask, label: str) -> bool:
    """Tell whether a task already states what a shared field would give it (its lead, or its
    deadline in its own text), which the field then leaves alone."""
    if LEAD_LABEL.match(label):
        return bool(task.lead)
    if label.startswith(("thời", "tiến")):
        return task.deadline.raw is not None
    if label.startswith(("sản phẩm", "kết quả")):
        return bool(task.result)
    return False


def _with_field(task: RawTask, value: str, label: str, walk: Walk) -> RawTask:
    """A task with a labelled field's value applied (its deadline, support, lead or product)."""
    value = value.strip(" *.;")
    if label.startswith(("sản phẩm", "kết quả")):
        return replace(task, result=trim_text(value))
    if label.startswith("thời") or label.startswith("tiến"):
        found = best_deadline(find_deadlines(value, walk.year, cells=True))
        return replace(task, deadline=found.deadline if found else Deadline.none())
    if "phối hợp" in label:
        return replace(task, support=walk.units(value))
    lead_at = _LEADS_HERE.search(fold(value))
    if lead_at:  # "Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành"
        lead = walk.subject_units(value[: lead_at.start()])
        return replace(task, lead=lead or task.lead, support=support_of(value, walk) or task.support)
    if value:
        return replace(task, lead=walk.cell_units(value) or task.lead)
    return task
