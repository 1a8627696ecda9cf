"""Bản tin: the bulletin drafts in the output folder, edited in the browser (include, order, section,
title, lead text), previewed, downloaded as HTML or Word, and queued for the mailing list.

The draft stays the TOML file the `dondoc bulletin` commands read and write, so an edit made here and
one made by hand in the file are the same thing; sending goes through the outbox like the CLI's.
Editors only.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from crawler.config import Config
from crawler.errors import BulletinInputError
from notifier.bulletin.draftfile import load_draft, paragraphs_of, write_draft
from notifier.bulletin.model import Draft, DraftItem
from web.auth import csrf_ok, visitor
from web.pages import PageState, forbidden, to_login

_NAME = re.compile(r"^[\w-][\w.-]{0,150}$")
_ORDER = re.compile(r"^-?\d{1,6}$")
DOWNLOADS = {"html": "text/html; charset=utf-8",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TITLE_LIMIT, SUMMARY_LIMIT = 300, 5000


@dataclass(frozen=True)
class DraftEntry:
    """One draft file as the list shows it: its name, and its masthead or why it cannot be read."""

    name: str
    issue: str
    period: str
    items: int
    chosen: int
    problem: str


def drafts_dir(config: Config | None) -> Path:
    """The folder the bulletin job and `dondoc bulletin draft` write drafts to."""
    return (config or Config()).output_path() / "bulletin"


def draft_path(state: PageState, name: str) -> Path | None:
    """The draft file a URL names, or None for a name that is not a draft in the folder."""
    folder = drafts_dir(state.config)
    path = folder / f"{name}.toml"
    if not _NAME.match(name) or ".." in name or not path.is_file():
        return None
    if path.resolve().parent != folder.resolve():
        return None
    return path


def _entry(path: Path) -> DraftEntry:
    """A draft's line in the list (a draft that does not read says why)."""
    try:
        draft = load_draft(path)
    except BulletinInputError as error:
        return DraftEntry(path.stem, "", "", 0, 0, str(error))
    period = f"{draft.period_start:%d/%m/%Y} – {draft.period_end:%d/%m/%Y}"
    return DraftEntry(path.stem, draft.issue, period, len(draft.items),
                      sum(item.include for item in draft.items), "")


def _editor_refusal(state: PageState, request: Request) -> Response | None:
    """The answer for anyone but an editor (None for an editor)."""
    me = visitor(request)
    if not (me.staff or me.unit):
        return to_login(request)
    return None if me.role == "editor" else forbidden(state, request)


async def bulletin_list(state: PageState, request: Request) -> Response:
    """The drafts, newest name first, and the form that drafts a week's bulletin."""
    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    return _list_page(state, request)


def _list_page(state: PageState, request: Request, *, status: int = 200, error: str = "") -> Response:
    """The list of drafts; `error` says why a new draft was not made."""
    folder = drafts_dir(state.config)
    paths = sorted(folder.glob("*.toml"), reverse=True) if folder.is_dir() else []
    year, week, _ = state.today().isocalendar()
    return state.render(request, "bulletins.html", status=status, drafts=[_entry(path) for path in paths],
                        folder=folder, this_week=f"{year}-W{week:02d}", error=error)


async def bulletin_new(state: PageState, request: Request) -> Response:
    """Draft the bulletin of the chosen ISO week as `dondoc bulletin draft --week` does, then open it;
    a week that has a draft already opens that one, untouched."""
    from notifier.bulletin.draft import draft_from_config, week_period

    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return forbidden(state, request)
    try:
        period = week_period(str(form.get("tuan", "")).strip()[:20])
    except BulletinInputError as error:
        return _list_page(state, request, status=400, error=str(error))
    name = f"ban-tin-{period.label}"
    path = drafts_dir(state.config) / f"{name}.toml"
    if path.exists():
        return RedirectResponse(f"/ban-tin/{quote(name)}?da=da-co", status_code=303)
    path.parent.mkdir(parents=True, exist_ok=True)
    with state.sessions() as session:
        draft_from_config(session, state.config or Config(), period, path)
    return RedirectResponse(f"/ban-tin/{quote(name)}?da=moi", status_code=303)


def ordered_items(draft: Draft) -> list[DraftItem]:
    """The items as the bulletin prints them: by section, then order (excluded ones among them)."""
    position = {section.key: index for index, section in enumerate(draft.sections)}
    return sorted(draft.items, key=lambda item: (position.get(item.section, len(position)), item.order))


def edited(draft: Draft, form: Mapping[str, Any]) -> Draft:
    """The draft with the form's changes; an item the form does not carry is kept as it was."""
    keys = {section.key for section in draft.sections}
    title = " ".join(str(form.get("tieu-de", draft.title)).split())[:TITLE_LIMIT]
    if not title:
        raise BulletinInputError("Tên bản tin không được để trống.")
    return replace(draft, title=title, items=tuple(_edited_item(item, form, keys) for item in draft.items))


def _edited_item(item: DraftItem, form: Mapping[str, Any], keys: set[str]) -> DraftItem:
    """One item with its fields from the form (prefix tin-<id>-)."""
    prefix = f"tin-{item.id}-"
    if form.get(prefix + "co") != "1":
        return item
    title = " ".join(str(form.get(prefix + "tieu-de", "")).split())[:TITLE_LIMIT]
    if not title:
        raise BulletinInputError(f"Tin mã {item.id}: tiêu đề không được để trống.")
    section = str(form.get(prefix + "muc", item.section))
    if section not in keys:
        raise BulletinInputError(f"Tin mã {item.id}: không có mục “{section}”.")
    order = str(form.get(prefix + "thu-tu", "")).strip()
    if not _ORDER.match(order):
        raise BulletinInputError(f"Tin mã {item.id}: thứ tự phải là một số nguyên, không phải “{order}”.")
    text = str(form.get(prefix + "tom-tat", "")).replace("\r\n", "\n")[:SUMMARY_LIMIT]  # browsers send CRLF
    summary = "\n\n".join(paragraphs_of(text))
    return replace(item, title=title, section=section, order=int(order), summary=summary,
                   include=form.get(prefix + "chon") == "1")


def _edit_page(state: PageState, request: Request, name: str, draft: Draft, *, status: int = 200,
               error: str = "", notice: str = "") -> Response:
    """The edit form of a draft."""
    return state.render(request, "bulletin_edit.html", status=status, draft_name=name, draft=draft,
                        items=ordered_items(draft), error=error, notice=notice,
                        sections={section.key: section.title for section in draft.sections})


NOTICES = {"luu": "Đã lưu bản nháp.", "gui": "Đã đưa {n} thư vào hộp thư đi; dịch vụ gửi ở lượt gửi kế tiếp.",
           "gui-0": "Bản tin này đã có trong hộp thư đi của mọi địa chỉ; không thêm thư nào.",
           "moi": "Đã soạn bản nháp từ các tin đã thu thập trong tuần; hãy chọn tin và sửa rồi lưu.",
           "da-co": "Tuần này đã có bản nháp; đây là bản nháp đó (không soạn lại để giữ các sửa đổi)."}


async def bulletin_edit(state: PageState, request: Request) -> Response:
    """A draft's edit form (GET) and the saving of its changes (POST)."""
    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    name = request.path_params["name"]
    path = draft_path(state, name)
    if path is None:
        return state.render(request, "forbidden.html", status=404, reason="Không có bản nháp này.")
    try:
        draft = load_draft(path)
    except BulletinInputError as error:
        return state.render(request, "forbidden.html", status=422, reason=str(error))
    if request.method == "GET":
        key = request.query_params.get("da", "")
        notice = NOTICES.get(key, "").format(n=request.query_params.get("n", ""))
        return _edit_page(state, request, name, draft, notice=notice)
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return forbidden(state, request)
    try:
        changed = edited(draft, form)
    except BulletinInputError as error:
        return _edit_page(state, request, name, draft, status=400, error=str(error))
    write_draft(changed, path)
    return RedirectResponse(f"/ban-tin/{quote(name)}?da=luu", status_code=303)


def _checked_draft(state: PageState, path: Path) -> Draft:
    """The draft read back and its article ids checked against the database, as the CLI does."""
    from notifier.bulletin.draft import check_draft_ids

    draft = load_draft(path)
    with state.sessions() as session:
        check_draft_ids(session, draft, path)
    return draft


async def bulletin_preview(state: PageState, request: Request) -> Response:
    """The bulletin as its email will look."""
    from notifier.bulletin.render import render_bulletin_html

    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    path = draft_path(state, request.path_params["name"])
    if path is None:
        return state.render(request, "forbidden.html", status=404, reason="Không có bản nháp này.")
    try:
        return HTMLResponse(render_bulletin_html(_checked_draft(state, path)))
    except BulletinInputError as error:
        return state.render(request, "forbidden.html", status=422, reason=str(error))


async def bulletin_download(state: PageState, request: Request) -> Response:
    """The rendered bulletin as a file: .html or .docx."""
    from notifier.bulletin.render import render_bulletin_html, write_bulletin_docx

    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    name, fmt = request.path_params["name"], request.path_params["fmt"]
    path = draft_path(state, name)
    if path is None or fmt not in DOWNLOADS:
        return state.render(request, "forbidden.html", status=404, reason="Không có bản nháp này.")
    try:
        draft = _checked_draft(state, path)
    except BulletinInputError as error:
        return state.render(request, "forbidden.html", status=422, reason=str(error))
    if fmt == "html":
        body = render_bulletin_html(draft).encode("utf-8")
    else:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "ban-tin.docx"
            write_bulletin_docx(draft, out)
            body = out.read_bytes()
    disposition = f"attachment; filename=\"ban-tin.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    return Response(body, media_type=DOWNLOADS[fmt], headers={"Content-Disposition": disposition})


def _refused_send(state: PageState, request: Request, name: str, path: Path, problem: str) -> Response:
    """The edit page saying why the draft was not queued (a plain page if the draft does not read)."""
    try:
        return _edit_page(state, request, name, load_draft(path), status=400, error=problem)
    except BulletinInputError:
        return state.render(request, "forbidden.html", status=422, reason=problem)


async def bulletin_send(state: PageState, request: Request) -> Response:
    """Queue the draft for the mailing list in the outbox (the service's delivery sends it)."""
    from notifier.bulletin.send import enqueue_bulletin

    if (refusal := _editor_refusal(state, request)) is not None:
        return refusal
    name = request.path_params["name"]
    path = draft_path(state, name)
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return forbidden(state, request)
    if path is None:
        return state.render(request, "forbidden.html", status=404, reason="Không có bản nháp này.")
    try:
        with state.sessions() as session:
            added = enqueue_bulletin(session, state.config or Config(), path, dt.datetime.now(dt.UTC))
    except BulletinInputError as error:
        return _refused_send(state, request, name, path, str(error))
    key = "gui" if added else "gui-0"
    return RedirectResponse(f"/ban-tin/{quote(name)}?da={key}&n={added}", status_code=303)
