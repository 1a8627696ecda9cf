"""The differ: gives every extracted task a lasting identity and records what changed as task events.

Identity: the same task seen again (page re-crawled, directive republished, or reported on in a
follow-up report citing the source document number) links to the stored task. Two sightings are
the same task when they share a source document number, the same lead and an action whose first
40 normalized words overlap by at least SIMILARITY (Jaccard), so small edits are tolerated. The
first sighting's key is stored in tasks.identity.

Events are unique per (task, kind, key) and dated with the caller's `as_of`, so replaying the
same inputs with the same dates never duplicates one and always gives the same ones.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crawler.extract.normalize import match_key
from crawler.models import Deadline, ExtractedTask, Precision, Status
from crawler.storage.corrections import fixes_for
from crawler.storage.schema import Document, Task, TaskEvent, TaskRef, TaskSighting
from crawler.storage.tasks import EventKind, TaskEventRecord
from crawler.storage.units import alias_map, name_key

__all__ = ["EventKind", "TaskEventRecord", "apply_document_tasks", "record_time_events", "track_added_task"]

log = logging.getLogger(__name__)

ACTION_WORDS = 40
SIMILARITY = 0.8
LEAD_CHANGE_SIMILARITY = 0.9
DEFAULT_OFFSETS = (7, 3, 1)
_REF_RE = re.compile(r"\d+[\w.]*(?:\s*[-/]\s*[\w.&]+)+")
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХаеорсухіІЅјԁ", "ABCEHKMOPTXaeopcyxiISjd")
_WORD_RE = re.compile(r"\w+")
Events = list[TaskEventRecord]


# --- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskKey:
    """What identifies a task: its source document numbers, its lead and its first action words."""

    refs: tuple[str, ...]
    lead: str
    words: tuple[str, ...]

    @property
    def identity(self) -> str:
        """The stable identity hash of a first sighting (stored in tasks.identity)."""
        return _sha(f"{self.refs[0]}\x1f{self.lead}\x1f{' '.join(self.words)}")


def _sha(text: str) -> str:
    """Hex SHA-256 of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ref_key(ref: str) -> str:
    """Matching form of a document number: the number in the text, Latin letters, no spaces, upper case."""
    text = unicodedata.normalize("NFC", ref).translate(_LOOKALIKES)
    found = [m.group() for m in _REF_RE.finditer(text) if any(ch.isalpha() for ch in m.group())]
    return re.sub(r"\s+", "", found[0] if found else text).upper()


def action_words(action: str) -> tuple[str, ...]:
    """The first 40 words of an action in matching form (NFC, lower case, modern tones, no punctuation)."""
    return tuple(_WORD_RE.findall(match_key(action)))[:ACTION_WORDS]


def similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard similarity of two word sets: 1.0 for the same words, tolerant to a few edited ones."""
    left, right = set(a), set(b)
    return len(left & right) / len(left | right) if left | right else 1.0


def lead_key(lead: Iterable[str], aliases: dict[str, str]) -> str:
    """Matching form of a lead list: each name resolved through the unit aliases, sorted, joined."""
    return "|".join(sorted({name_key(aliases.get(name_key(n), n)) for n in lead}))


def task_key(task: ExtractedTask, document: Document, aliases: dict[str, str]) -> TaskKey:
    """The key of an extracted task: the numbers it cites, else its document's number, else its URL."""
    refs = tuple(dict.fromkeys(ref_key(r) for r in task.source_refs if r.strip()))
    if not refs:
        refs = (ref_key(document.number),) if document.number else (f"URL:{document.url}",)
    return TaskKey(refs=refs, lead=lead_key(task.lead, aliases), words=action_words(task.action))


def period_end(due: dt.date | None, precision: Precision) -> dt.date | None:
    """The last allowed day of a deadline ("Tháng 10/2025" -> 2025-10-31); recurring or none: no date."""
    if due is None or precision in (Precision.RECURRING, Precision.NONE):
        return None
    last_month = {Precision.MONTH: due.month, Precision.QUARTER: (due.month + 2) // 3 * 3,
                  Precision.HALF: 6 if due.month <= 6 else 12, Precision.YEAR: 12}.get(precision)
    if last_month is None:
        return due
    return dt.date(due.year, last_month, calendar.monthrange(due.year, last_month)[1])


# --- applying a document's tasks -------------------------------------------------------------------


@dataclass(frozen=True)
class _Sighting:
    """One extracted task with its key, as the differ works on it."""

    task: ExtractedTask
    key: TaskKey


def apply_document_tasks(session: Session, document_id: int, tasks: Sequence[ExtractedTask],
                         as_of: dt.date, aliases: dict[str, str] | None = None) -> list[TaskEventRecord]:
    """Store a document's extracted tasks, linking re-seen ones, and return the events newly recorded
    (`aliases`: the unit alias map when the caller read it once for many documents)."""
    document = session.get_one(Document, document_id)
    aliases = alias_map(session) if aliases is None else aliases
    sightings = _unique([_Sighting(t, task_key(t, document, aliases)) for t in tasks])
    previous = _previous_version_task_ids(session, document)
    candidates = _candidates(session, sightings, previous)
    matches = _match(sightings, candidates, _refs_of(session, candidates), previous)
    fixes = fixes_for(session, [task.id for task in candidates], document.url)
    events: list[TaskEventRecord] = []
    seen: set[int] = set()
    for sighting in sightings:
        matched = matches.get(id(sighting))
        if matched is None:  # a row just made has no refs, sightings nor events to look up
            row = _create(session, sighting, document, as_of)
            events += _new_task_events(session, row, as_of, fresh=True)
            _record_refs(session, row, sighting.key.refs, fresh=True)
            _record_sighting(session, row, document, sighting.task.line, as_of, fresh=True)
        else:
            row = matched
            if row.id not in fixes.false:  # an editor's false task is not updated (nor listed again)
                fixed = _Sighting(fixes.corrected(row.id, sighting.task), sighting.key)
                events += _update(session, row, fixed, as_of)
            _record_refs(session, row, sighting.key.refs)
            _record_sighting(session, row, document, sighting.task.line, as_of)
        seen.add(row.id)
    for task_id in sorted(fixes.added - seen):  # an editor's addition stays in each version of its document
        _record_sighting(session, session.get_one(Task, task_id), document, 0, as_of)
        seen.add(task_id)
    events += _dropped(session, previous - seen, document, as_of)
    session.flush()
    log.info("document %s: %d tasks, %d events", document_id, len(sightings), len(events))
    return events


def track_added_task(session: Session, document_id: int, task: ExtractedTask, as_of: dt.date) -> int:
    """Track a task an editor read in a document and the extractor missed, as a first sighting; its id."""
    document = session.get_one(Document, document_id)
    sighting = _Sighting(task, task_key(task, document, alias_map(session)))
    row = _create(session, sighting, document, as_of)
    _new_task_events(session, row, as_of)
    _record_refs(session, row, sighting.key.refs)
    _record_sighting(session, row, document, task.line, as_of)
    session.flush()
    return row.id


def _unique(sightings: Iterable[_Sighting]) -> list[_Sighting]:
    """Drop repeated extractions of the very same task within one document (same identity and due date);
    the same words under two deadlines (e.g. under "Nhiệm vụ tháng 8" and "tháng 9") stay two tasks."""
    kept: dict[tuple[str, dt.date | None], _Sighting] = {}
    for sighting in sightings:
        kept.setdefault((sighting.key.identity, sighting.task.deadline.due), sighting)
    return list(kept.values())


def _previous_version_task_ids(session: Session, document: Document) -> set[int]:
    """Tasks listed by the newest earlier version of the same document URL (empty for a first version)."""
    if document.version <= 1:  # versions count from 1: a first version has none before it
        return set()
    earlier = (select(Document.id).where(Document.url == document.url, Document.version < document.version)
               .order_by(Document.version.desc()).limit(1))
    previous_id = session.scalars(earlier).first()
    if previous_id is None:
        return set()
    return set(session.scalars(select(TaskSighting.task_id).where(TaskSighting.document_id == previous_id)))


def _candidates(session: Session, sightings: Sequence[_Sighting], previous: set[int]) -> list[Task]:
    """Stored tasks that may be re-sightings: tasks citing one of these numbers, and the previous version."""
    refs = {ref for s in sightings for ref in s.key.refs}
    citing = select(TaskRef.task_id).where(TaskRef.ref_key.in_(refs))
    query = select(Task).where(Task.id.in_(citing) | Task.id.in_(previous)).order_by(Task.id)
    return list(session.scalars(query))


def _refs_of(session: Session, tasks: Sequence[Task]) -> dict[int, set[str]]:
    """The normalized source numbers of each stored task."""
    refs: dict[int, set[str]] = {task.id: set() for task in tasks}
    if not refs:
        return refs
    query = select(TaskRef.task_id, TaskRef.ref_key).where(TaskRef.task_id.in_(list(refs)))
    for task_id, ref in session.execute(query):
        refs[task_id].add(ref)
    return refs


def _record_refs(session: Session, row: Task, refs: Iterable[str], fresh: bool = False) -> None:
    """Remember every source number a task was seen under, so a sighting citing any of them finds it
    (a `fresh` row, just created, has none yet)."""
    known = set() if fresh else set(session.scalars(select(TaskRef.ref_key).where(TaskRef.task_id == row.id)))
    for ref in dict.fromkeys(refs):
        if ref not in known:
            session.add(TaskRef(task_id=row.id, ref_key=ref))


def _match(sightings: Sequence[_Sighting], candidates: Sequence[Task], refs: dict[int, set[str]],
           previous: set[int]) -> dict[int, Task]:
    """Pair sightings with stored tasks one to one, best first (similar words, same lead, same due date);
    a different lead matches only a nearly identical task from the previous version (a lead change)."""
    pairs: list[tuple[float, int, int, _Sighting, Task]] = []
    for order, sighting in enumerate(sightings):
        for task in candidates:
            score = similarity(sighting.key.words, task.action_key.split())
            if _same_task(sighting.key, task, refs[task.id], score, previous):
                same_lead = task.lead_key == sighting.key.lead or not sighting.key.lead
                deadline = sighting.task.deadline
                same_due = period_end(deadline.due, deadline.precision) == task.due
                pairs.append((score + same_lead + 0.5 * same_due, order, task.id, sighting, task))
    matches: dict[int, Task] = {}
    used: set[int] = set()
    for _score, _order, task_id, sighting, task in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if id(sighting) not in matches and task_id not in used:
            matches[id(sighting)] = task
            used.add(task_id)
    return matches


def _same_task(key: TaskKey, task: Task, task_refs: set[str], score: float, previous: set[int]) -> bool:
    """Whether a stored task is this sighting: shared number, similar action, same lead (or a lead change)."""
    if task_refs.isdisjoint(key.refs) and task.id not in previous:
        return False
    if task.lead_key == key.lead or not key.lead:
        return score >= SIMILARITY
    return task.id in previous and score >= LEAD_CHANGE_SIMILARITY


def _create(session: Session, sighting: _Sighting, document: Document, as_of: dt.date) -> Task:
    """Store a task seen for the first time."""
    task, key = sighting.task, sighting.key
    row = Task(
        identity=_free_identity(session, key.identity), lead_key=key.lead,
        action_key=" ".join(key.words), document_id=document.id, action=task.action,
        lead=list(task.lead), support=list(task.support), source_refs=list(task.source_refs),
        status=task.status.value if task.status else None, required_result=task.required_result,
        line=task.line, char_start=task.start,
        char_end=task.end, listed=True, first_seen=as_of, last_seen=as_of,
        **_deadline_columns(task.deadline),
    )
    session.add(row)
    session.flush()
    return row


def _free_identity(session: Session, identity: str) -> str:
    """The identity itself, or a derived one when a different stored task already holds it."""
    candidate, n = identity, 0
    while session.scalars(select(Task.id).where(Task.identity == candidate)).first() is not None:
        n += 1
        candidate = _sha(f"{identity}#{n}")
    return candidate


def _deadline_columns(deadline: Deadline) -> dict[str, object]:
    """Task columns of a deadline, its due date moved to the end of its period."""
    return {"deadline_raw": deadline.raw, "due": period_end(deadline.due, deadline.precision),
            "due_time": deadline.time.strftime("%H:%M") if deadline.time else None,
            "precision": deadline.precision.value}


def _new_task_events(session: Session, row: Task, as_of: dt.date,
                     fresh: bool = False) -> list[TaskEventRecord]:
    """Events of a first sighting: new, and done when it is first seen already reported done (a `fresh`
    row, just created, has no event yet to look up)."""
    events = _record(session, row, EventKind.NEW, "", as_of, None, _due_text(row), fresh)
    if row.status == Status.DONE:
        events += _record(session, row, EventKind.DONE, "", as_of, None, Status.DONE.value, fresh)
    return events


def _update(session: Session, row: Task, sighting: _Sighting, as_of: dt.date) -> list[TaskEventRecord]:
    """Apply a re-sighting to a stored task and return the change events it causes."""
    task = sighting.task
    events = _lead_change(session, row, sighting, as_of)
    events += _deadline_change(session, row, task.deadline, as_of)
    events += _status_change(session, row, task.status, as_of)
    if task.support:
        row.support = list(task.support)
    if task.required_result:
        row.required_result = task.required_result
    row.source_refs = list(dict.fromkeys([*row.source_refs, *task.source_refs]))
    row.last_seen = max(row.last_seen, as_of)
    if not row.listed:
        row.listed = True
    return events


def _lead_change(session: Session, row: Task, sighting: _Sighting, as_of: dt.date) -> list[TaskEventRecord]:
    """Record a new lead when the sighting names a different one."""
    if not sighting.key.lead or sighting.key.lead == row.lead_key:
        return []
    old, new = "; ".join(row.lead), "; ".join(sighting.task.lead)
    key = _sha(f"{row.lead_key}>{sighting.key.lead}")[:32]
    row.lead, row.lead_key = list(sighting.task.lead), sighting.key.lead
    if old == new:  # the extractor reads another lead, an editor's correction keeps the same one
        return []
    return _record(session, row, EventKind.LEAD_CHANGED, key, as_of, old, new)


def _deadline_change(session: Session, row: Task, deadline: Deadline, as_of: dt.date) -> Events:
    """Take a sighting's deadline; a moved due date is an event; a sighting without one changes nothing."""
    if deadline.raw is None and deadline.due is None:
        return []
    old_due, old_precision = row.due, row.precision
    for column, value in _deadline_columns(deadline).items():
        setattr(row, column, value)
    if old_due == row.due:
        return []
    old, new = _due_or(old_due, old_precision), _due_or(row.due, row.precision)
    return _record(session, row, EventKind.DEADLINE_CHANGED, f"{old}>{new}", as_of, old, new)


def _due_or(due: dt.date | None, precision: str) -> str:
    """A due date as ISO text, or the precision when there is no date (recurring, none)."""
    return due.isoformat() if due else precision


def _due_text(row: Task) -> str | None:
    """A task's due date as ISO text, if it has one."""
    return row.due.isoformat() if row.due else None


def _status_change(session: Session, row: Task, status: Status | None, as_of: dt.date) -> Events:
    """Record a reported status change; reaching done is the `done` event rather than status_changed."""
    if status is None or status.value == row.status:
        return []
    old, row.status = row.status, status.value
    if status == Status.DONE:
        return _record(session, row, EventKind.DONE, "", as_of, old, status.value)
    return _record(session, row, EventKind.STATUS_CHANGED, f"{old or 'none'}>{status.value}", as_of,
                   old, status.value)


def _record_sighting(session: Session, row: Task, document: Document, line: int, as_of: dt.date,
                     fresh: bool = False) -> None:
    """Remember that this document (version) lists the task (a `fresh` row, just created, has no
    sighting yet)."""
    exists = None if fresh else session.scalars(
        select(TaskSighting.id).where(TaskSighting.task_id == row.id, TaskSighting.document_id == document.id)
    ).first()
    if exists is None:
        session.add(TaskSighting(task_id=row.id, document_id=document.id, line=line, seen_on=as_of))


def _dropped(session: Session, task_ids: set[int], document: Document, as_of: dt.date) -> Events:
    """Mark tasks the previous version listed and this one does not as no longer listed."""
    events: list[TaskEventRecord] = []
    if not task_ids:
        return events
    for row in session.scalars(select(Task).where(Task.id.in_(task_ids)).order_by(Task.id)):
        row.listed = False
        events += _record(session, row, EventKind.NO_LONGER_LISTED, f"doc:{document.id}", as_of,
                          document.url, None)
    return events


def _record(session: Session, row: Task, kind: EventKind, key: str, as_of: dt.date,
            old: str | None, new: str | None, fresh: bool = False) -> list[TaskEventRecord]:
    """Store an event unless the same (task, kind, key) exists (never for a `fresh` row with one
    event of each kind); return it as a list of zero or one."""
    same = (TaskEvent.task_id == row.id, TaskEvent.kind == kind.value, TaskEvent.key == key)
    if not fresh and session.scalars(select(TaskEvent.id).where(*same)).first() is not None:
        return []
    event = TaskEventRecord(task_id=row.id, kind=kind, key=key, on=as_of, old=old, new=new)
    session.add(TaskEvent(**_event_columns(event)))
    return [event]


def _event_columns(event: TaskEventRecord) -> dict[str, object]:
    """The task_events columns of an event record."""
    return {"task_id": event.task_id, "kind": event.kind.value, "key": event.key, "on": event.on,
            "detail": {"old": event.old, "new": event.new, "days": event.days}}


# --- time events --------------------------------------------------------------------------------


def record_time_events(session: Session, as_of: dt.date,
                       offsets: Sequence[int] = DEFAULT_OFFSETS) -> list[TaskEventRecord]:
    """Record due-soon and overdue events of open, listed tasks with a due date, as seen on `as_of`.

    due_soon: once per offset crossed (the tightest one on the day; key "<offset>d:<due>", so a moved
    deadline alerts again). overdue: from the first day past due (key = the due date). Only tasks due
    within the largest offset are read, and existing events are read once, so large databases stay fast.
    """
    horizon = as_of + dt.timedelta(days=max(offsets, default=0))
    open_due = (Task.listed.is_(True), Task.due.is_not(None), Task.due <= horizon,
                Task.status.is_(None) | (Task.status != Status.DONE.value))
    known = {(task_id, kind, key) for task_id, kind, key in session.execute(
        select(TaskEvent.task_id, TaskEvent.kind, TaskEvent.key).join(Task, Task.id == TaskEvent.task_id)
        .where(*open_due, TaskEvent.kind.in_([EventKind.DUE_SOON.value, EventKind.OVERDUE.value])))}
    events: list[TaskEventRecord] = []
    due_dates = session.execute(select(Task.id, Task.due).where(*open_due).order_by(Task.due, Task.id))
    for task_id, due in due_dates:
        event = time_event(task_id, due, as_of, offsets) if due else None
        if event is not None and (event.task_id, event.kind.value, event.key) not in known:
            events.append(event)
    session.flush()
    if events:  # one bulk insert: the first run on a large database may record tens of thousands
        session.execute(insert(TaskEvent), [_event_columns(event) for event in events])
    return events


def time_event(task_id: int, due: dt.date, as_of: dt.date, offsets: Sequence[int]) -> TaskEventRecord | None:
    """The due-soon or overdue event a task due on `due` calls for on `as_of`, if any."""
    days_left = (due - as_of).days
    if days_left < 0:
        return TaskEventRecord(task_id, EventKind.OVERDUE, due.isoformat(), as_of, new=due.isoformat())
    crossed = [offset for offset in offsets if days_left <= offset]
    if not crossed:
        return None
    offset = min(crossed)
    return TaskEventRecord(task_id, EventKind.DUE_SOON, f"{offset}d:{due.isoformat()}", as_of,
                           new=due.isoformat(), days=offset)
