"""The routes of the pages added beside the first ones: bulletins, reports, unit actions, feeds and
the operator's crawl button; app.py mounts them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web import actions, atom, bulletins, crawls, reports

Handler = Callable[[Any, Request], Awaitable[Response]]
GET, POST = ["GET"], ["POST"]


def more_routes() -> list[tuple[str, Handler, list[str]]]:
    """(path, handler, methods) of each added page."""
    return [
        ("/ban-tin", bulletins.bulletin_list, GET),
        ("/ban-tin/moi", bulletins.bulletin_new, POST),  # before /ban-tin/{name}, which would match it
        ("/ban-tin/{name}", bulletins.bulletin_edit, ["GET", "POST"]),
        ("/ban-tin/{name}/xem", bulletins.bulletin_preview, GET),
        ("/ban-tin/{name}/tai.{fmt}", bulletins.bulletin_download, GET),
        ("/ban-tin/{name}/gui", bulletins.bulletin_send, POST),
        ("/bao-cao", reports.report_page, GET),
        ("/bao-cao/tai.{fmt}", reports.report_download, GET),
        ("/atom/don-vi/{unit}", atom.unit_atom, GET),
        ("/atom/{token}.xml", atom.token_atom, GET),
        ("/nhiem-vu/{task_id:int}/dang", actions.report_progress, POST),
        ("/nhiem-vu/{task_id:int}/gia-han", actions.ask_extension, POST),
        ("/van-hanh/thu-thap", crawls.crawl_now, POST),
    ]
