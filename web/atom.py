"""The Atom feed of a unit's new and changed tasks (RFC 4287), for a feed reader: opened by the unit's
personal link token (a reader keeps no session) or by a logged-in visitor who may see the unit."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from crawler.storage import webaccess
from crawler.storage.tasks import CHANGE_KINDS, TIMEZONE, TrackedTask
from crawler.storage.webfeeds import StoredEvent, task_events
from notifier.digest import shorten
from web import data
from web.auth import visitor
from web.pages import EVENT_LABELS, PROGRESS_LABELS, PageState, forbidden, to_login

ATOM = "http://www.w3.org/2005/Atom"
FEED_DAYS = 60
FEED_ENTRIES = 100
MEDIA = "application/atom+xml; charset=utf-8"


def _when(event: StoredEvent) -> dt.datetime:
    """When an event happened: its recorded time, else the start of its day in Asia/Ho_Chi_Minh."""
    return event.at or dt.datetime.combine(event.on, dt.time(), tzinfo=TIMEZONE)


def _what(event: StoredEvent) -> str:
    """The entry's text: what changed, from what to what, by whom, with the note."""
    label = EVENT_LABELS.get(event.kind, event.kind)
    if event.kind == "progress_reported":
        label += f": {PROGRESS_LABELS.get(event.new or '', event.new or '')}"
    elif event.kind == "corrected":
        return f"{label} {event.note or ''}: {event.old or '–'} → {event.new or '–'}" + (
            f" ({event.by})" if event.by else "")
    elif event.kind.endswith("_changed"):
        label += f": {event.old or '–'} → {event.new or '–'}"
    return label + (f" ({event.by})" if event.by else "") + (f" – {event.note}" if event.note else "")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A child element in the Atom namespace."""
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        child.text = text
    return child


def unit_feed(unit: str, tasks: Sequence[TrackedTask], events: Sequence[StoredEvent], base: str,
              self_url: str, now: dt.datetime) -> bytes:
    """The feed document: one entry per event, newest first, each linking to its task's page."""
    by_id = {task.id: task for task in tasks}
    newest = sorted(events, key=lambda e: (_when(e), e.id), reverse=True)[:FEED_ENTRIES]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "vi"})
    _add(feed, "id", f"{base}{data.unit_path(unit)}#tin-moi")
    _add(feed, "title", f"Nhiệm vụ mới và thay đổi – {unit}")
    _add(feed, "updated", (_when(newest[0]) if newest else now).isoformat())
    _add(_add(feed, "author"), "name", "dondoc")
    _add(feed, "link", rel="self", href=self_url)
    _add(feed, "link", rel="alternate", href=base + data.unit_path(unit))
    for event in newest:
        task = by_id[event.task_id]
        entry = _add(feed, "entry")
        _add(entry, "id", f"{base}/nhiem-vu/{task.id}#su-kien-{event.id}")
        label = EVENT_LABELS.get(event.kind, event.kind)
        _add(entry, "title", f"{label}: #{task.id} {shorten(task.action, 120)}")
        _add(entry, "updated", _when(event).isoformat())
        _add(entry, "link", rel="alternate", href=f"{base}/nhiem-vu/{task.id}")
        due = task.deadline.due.strftime("%d/%m/%Y") if task.deadline.due else "không ghi"
        _add(entry, "summary", f"{_what(event)}. Hạn: {due}. {task.action}")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _feed(state: PageState, request: Request, unit: str) -> Response:
    """The feed of a unit the visitor may see."""
    with state.sessions() as session:
        tasks = [row.task for row in data.unit_rows(session, unit, state.today())]
        since = state.today() - dt.timedelta(days=FEED_DAYS)
        events = task_events(session, [task.id for task in tasks], kinds=[str(k) for k in CHANGE_KINDS],
                             since=since)
    base = str(request.base_url).rstrip("/")
    body = unit_feed(unit, tasks, events, base, str(request.url), dt.datetime.now(dt.UTC))
    return Response(body, media_type=MEDIA)


async def unit_atom(state: PageState, request: Request) -> Response:
    """/atom/don-vi/<unit>: the feed for a logged-in visitor."""
    me, unit = visitor(request), request.path_params["unit"]
    if not (me.staff or me.unit):
        return to_login(request)
    if not me.may_see_unit(unit):
        return forbidden(state, request)
    return _feed(state, request, unit)


async def token_atom(state: PageState, request: Request) -> Response:
    """/atom/<token>.xml: the feed of the unit a personal link token opens."""
    with state.sessions() as session:
        grant = webaccess.grant_of(session, request.path_params["token"], webaccess.UNIT_LINK,
                                   dt.datetime.now(dt.UTC))
    if grant is None or not grant.unit:
        return Response("Không có nguồn tin này.", status_code=404, media_type="text/plain; charset=utf-8")
    return _feed(state, request, grant.unit)
