"""The operator's "crawl this source now": queued with CSRF by an operator only, answered at once,
then run by the service's crawl job against the bundled local site and recorded like a scheduled run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.config import Config, GeneralConfig
from crawler.site import RunningSite, demo_sources, serve_site
from crawler.storage.crawl_requests import QueuedCrawl, finish, queue_crawl, recent_requests, take_next
from crawler.storage.service_state import job_states, source_health
from tests.webapp.test_web_access import csrf_of, log_in
from tests.webapp.webdata import AS_OF, Seeded
from web.app import create_app

SOURCE = "demo-vanban-chinhphu"
WAIT_S = 180


@pytest.fixture
def site() -> Iterator[RunningSite]:
    """The bundled demo site on a free loopback port."""
    running = serve_site()
    yield running
    running.stop()


@pytest.fixture
def operator(web_engine: Engine, seeded: Seeded, site: RunningSite, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """An operator's client on an application configured with the demo vanban source."""
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    source = next(s for s in demo_sources(site.base_url) if s.name == SOURCE)
    config = Config(general=GeneralConfig(database=str(web_engine.url.database), output_dir=str(tmp_path)),
                    sources=(dataclasses.replace(source, max_pages=6),))
    app = create_app(web_engine, "bi-mat-van-hanh", as_of=AS_OF, sources=config.sources, config=config)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def finished(engine: Engine) -> QueuedCrawl:
    """The latest request once its crawl has ended (waiting for the background run)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        with Session(engine) as session:
            latest = recent_requests(session)[0]
        if latest.finished_at is not None or time.monotonic() > deadline:
            return latest
        time.sleep(0.2)


def test_crawl_now_is_queued_and_run_through_the_crawl_job(operator: TestClient, web_engine: Engine) -> None:
    log_in(operator, "vanhanh")
    page = operator.get("/van-hanh").text
    assert f'name="nguon" value="{SOURCE}"' in page and "Thu thập ngay" in page
    token = csrf_of(operator, "/van-hanh")
    response = operator.post("/van-hanh/thu-thap", data={"csrf": token, "nguon": SOURCE})
    assert response.status_code == 303 and "da-xep=1" in response.headers["location"]
    queued = operator.get(response.headers["location"]).text
    assert "Đã xếp lịch thu thập" in queued and re.search(rf"<strong>{SOURCE}</strong> \(vanhanh, ", queued)
    done = finished(web_engine)
    assert (done.job_id, done.outcome) == (f"crawl:{SOURCE}", "ok"), done.detail
    with Session(web_engine) as session:
        job = next(j for j in job_states(session) if j.job_id == f"crawl:{SOURCE}")
        health = source_health(session)[SOURCE]
    assert (job.last_outcome, job.runs) == ("ok", 1)
    assert health.consecutive_failures == 0 and health.items_last_run > 0
    assert "xong" in operator.get("/van-hanh").text


def test_crawl_now_needs_an_operator_csrf_and_a_known_source(operator: TestClient, seeded: Seeded,
                                                             web_engine: Engine) -> None:
    assert operator.post("/van-hanh/thu-thap", data={"nguon": SOURCE}).status_code == 303  # to login
    log_in(operator, "bientap")
    token = csrf_of(operator, "/")
    assert operator.post("/van-hanh/thu-thap", data={"csrf": token, "nguon": SOURCE}).status_code == 403
    log_in(operator, "vanhanh")
    token = csrf_of(operator, "/van-hanh")
    assert operator.post("/van-hanh/thu-thap", data={"csrf": "gia", "nguon": SOURCE}).status_code == 403
    unknown = operator.post("/van-hanh/thu-thap", data={"csrf": token, "nguon": "nguon-la"})
    assert unknown.status_code == 404 and "Không có nguồn “nguon-la”" in unknown.text
    with Session(web_engine) as session:
        assert recent_requests(session) == []


def test_a_job_waiting_or_running_is_not_queued_twice(web_engine: Engine) -> None:
    at = dt.datetime(2025, 10, 1, 1, 0, tzinfo=dt.UTC)
    with Session(web_engine) as session:
        first, added = queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "vanhanh", at)
        again, added_again = queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "lan", at)
        assert (added, added_again, again.id) == (True, False, first.id)
        started = take_next(session, at)
        assert started is not None and started.id == first.id and take_next(session, at) is None
        assert not queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "lan", at)[1]  # still running
        finish(session, first.id, at, "ok", "xong")
        assert queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "lan", at)[1]
        assert first.requested_at.utcoffset() == dt.timedelta(hours=7)  # shown in Asia/Ho_Chi_Minh


def test_a_restart_settles_an_interrupted_crawl_and_frees_the_source(web_engine: Engine) -> None:
    at = dt.datetime(2025, 10, 1, 1, 0, tzinfo=dt.UTC)
    with Session(web_engine) as session:
        queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "vanhanh", at)
        take_next(session, at)  # the process running it stops here
        session.commit()
    config = Config(general=GeneralConfig(database=str(web_engine.url.database)))
    create_app(web_engine, "bi-mat", as_of=AS_OF, config=config)
    with Session(web_engine) as session:
        (settled,) = recent_requests(session)
        assert settled.outcome == "abandoned" and "thu thập lại" in (settled.detail or "")
        assert queue_crawl(session, f"crawl:{SOURCE}", SOURCE, "vanhanh", at)[1]
