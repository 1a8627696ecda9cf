"""The Starlette application: routes, access rules and the signed-cookie session.

Editors and operators log in; a unit head comes through a personal link (/lien-ket/<token>) that
opens only their unit's pages. Every form carries the session's CSRF token. Pages are rendered on
the server from Jinja2 templates; the stylesheet ships in web/static (no CDN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from crawler.config import Config
from web import documents, pages

HERE = Path(__file__).resolve().parent
SESSION_MAX_AGE_S = 8 * 3600


@dataclass(frozen=True)
class WebSettings:
    """What the application needs: the database, the clock's "today" (None: the real today), the
    session secret, whether cookies are HTTPS-only, and the configured sources for the operator page."""

    sessions: sessionmaker[Session]
    secret: str
    as_of: dt.date | None = None
    https_only: bool = False
    sources: tuple[Any, ...] = ()


def create_app(engine: Engine, secret: str, *, as_of: dt.date | None = None, https_only: bool = False,
               sources: tuple[Any, ...] = (), config: Config | None = None) -> Starlette:
    """The web application on a database engine (migrated already); `config` gives the bulletin
    drafts' folder, the mailing list and the crawls the operator may start."""
    from crawler.storage.engine import session_factory
    from web.more_routes import more_routes

    settings = WebSettings(session_factory(engine), secret, as_of, https_only, sources)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    state = pages.PageState(settings.sessions, templates, settings.as_of, settings.sources, config=config)

    def bind(handler: Callable[[pages.PageState, Request], Any]) -> Callable[[Request], Any]:
        """A route endpoint calling a page handler with the shared state."""
        async def endpoint(request: Request) -> Response:
            """Run the page handler."""
            result: Response = await handler(state, request)
            return result
        return endpoint

    routes = [
        Route("/", bind(pages.dashboard)),
        Route("/dang-nhap", bind(pages.login), methods=["GET", "POST"]),
        Route("/dang-xuat", bind(pages.logout), methods=["POST"]),
        Route("/lien-ket/{token}", bind(pages.unit_link)),
        Route("/don-vi/{unit:path}", bind(pages.unit_page)),
        Route("/nhiem-vu/{task_id:int}", bind(pages.task_page)),
        Route("/nhiem-vu/{task_id:int}/xong", bind(pages.mark_done), methods=["POST"]),
        Route("/van-ban/{document_id:int}", bind(documents.document_page)),
        Route("/van-ban/{document_id:int}/nhiem-vu/{task_id:int}/sua", bind(documents.correct_task),
              methods=["POST"]),
        Route("/van-ban/{document_id:int}/nhiem-vu/{task_id:int}/khong-phai", bind(documents.mark_false),
              methods=["POST"]),
        Route("/van-ban/{document_id:int}/them", bind(documents.add_task), methods=["POST"]),
        Route("/van-ban/{document_id:int}/doc-lai", bind(documents.extract_again), methods=["POST"]),
        Route("/van-hanh", bind(pages.operator_page)),
        Route("/lich/{token}.ics", bind(pages.calendar_feed)),
        Route("/api/tasks", bind(pages.api_tasks)),
        Route("/api/units", bind(pages.api_units)),
        *(Route(path, bind(handler), methods=methods) for path, handler, methods in more_routes()),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=secret, session_cookie="dondoc_phien",
                             max_age=SESSION_MAX_AGE_S, same_site="lax", https_only=https_only)]
    return Starlette(routes=routes, middleware=middleware)
