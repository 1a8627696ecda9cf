"""A live web application (uvicorn in a thread) and headless Chromium from the distribution, driven
by Playwright; tests skip when either is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from service.http_server import start_server
from tests.webapp.webdata import AS_OF
from web.app import create_app


def chromium_path() -> str:
    """The system Chromium, or a skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chưa cài Chromium (bash .ci/install-chromium.sh)")
    return found


@contextmanager
def live_app(engine: Engine, **options: Any) -> Iterator[str]:
    """The application (with create_app's `options`) served on a free loopback port; yields its base URL."""
    server = start_server(create_app(engine, "bi-mat-trinh-duyet", as_of=AS_OF, **options), "127.0.0.1", 0,
                          what="web")
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A fresh page of headless Chromium at the given viewport."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
            yield context.new_page()
        finally:
            browser.close()
