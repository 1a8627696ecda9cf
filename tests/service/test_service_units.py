"""The service's building blocks, in process: schedules, first runs, locks, metrics, status, pruning."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from service_helpers import dondoc_env, free_port, run_dondoc, wait_until
from sqlalchemy import select
from sqlalchemy.orm import Session

import scheduler
from crawler.config import (
    ChannelConfig,
    ChannelsConfig,
    Config,
    GeneralConfig,
    RecipientConfig,
    SchedulesConfig,
    ServiceConfig,
    SourceConfig,
    ZaloConfig,
)
from crawler.crawl import SourceOutcome, record_outcome
from crawler.errors import AlreadyRunningError, ConfigError
from crawler.processes import ChildGroups, run_in_group
from crawler.storage.documents import prune_raw_pages
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from crawler.storage.recipients import sync_config
from crawler.storage.schema import Document, OutboxMessage, Page, ServiceJob, Source
from notifier.channels.zalo import ZALO_TOKEN_FILE, FileTokenStore, ZaloTokens
from service.crawl_track import crawl_time_limit
from service.health import start_health_server
from service.jobs import JobResult, JobSpec, Service
from service.locks import acquire_lock, service_is_running
from service.logs import JsonFormatter, KeyValueFormatter
from service.metrics import Metric, collect_metrics, metrics_content_type, metrics_text, wants_openmetrics
from service.run import schedule_jobs
from service.status import status_lines
from service.triggers import crawl_jobs, cron_trigger, first_run_time, job_triggers, source_trigger
from service.work import (
    alert_failing_source,
    housekeeping_job,
    zalo_token_warnings,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 10, 1, 1, 0, tzinfo=UTC)


def source(name: str, **fields: object) -> SourceConfig:
    """A source config for scheduling tests (never crawled)."""
    return SourceConfig(name=name, family="news", start_url="http://127.0.0.1:9/", **fields)  # type: ignore[arg-type]


def service_for(config: Config) -> Service:
    """A Service bound to `config` with a fixed clock."""
    upgrade_database(config.database_url())
    return Service(config, lambda: NOW)


@pytest.fixture()
def session(sqlite_url: str) -> Session:
    """A session on a migrated SQLite database."""
    upgrade_database(sqlite_url)
    return session_factory(make_engine(sqlite_url))()


def test_jobs_have_explicit_ids_from_the_config(tmp_path: Path) -> None:
    """Each enabled source gets a crawl job; schedules give digests, bulletin, housekeeping, delivery."""
    config = Config(
        general=GeneralConfig(database=str(tmp_path / "db.sqlite3")),
        sources=(source("a"), source("b", enabled=False), source("c", cron="*/10 * * * * *")),
    )
    ids = [spec.job_id for spec in scheduler.job_specs(service_for(config))]
    assert ids == ["crawl:a", "crawl:c", "digest:daily", "digest:weekly", "bulletin:draft", "housekeeping",
                   "deliver"]


def test_grouped_sources_share_one_crawl_job(tmp_path: Path) -> None:
    """Sources with the same group are one job, crawled under the largest of their time limits."""
    config = Config(
        general=GeneralConfig(database=str(tmp_path / "db.sqlite3")), path=str(tmp_path / "dondoc.toml"),
        sources=(source("a", group="bo-nganh", interval_seconds=30), source("b"),
                 source("c", group="bo-nganh", time_limit_s=50)),
    )
    jobs = crawl_jobs(config)
    assert list(jobs) == ["crawl-group:bo-nganh", "crawl:b"]
    assert [s.name for s in jobs["crawl-group:bo-nganh"]] == ["a", "c"]
    trigger = job_triggers(config)["crawl-group:bo-nganh"]
    assert trigger.interval == dt.timedelta(seconds=30)
    assert crawl_time_limit(config, ("a", "c")) == 50


def test_empty_schedule_turns_a_job_off(tmp_path: Path) -> None:
    """An empty cron string leaves its job out; delivery_interval_seconds = 0 leaves delivery out."""
    config = Config(
        general=GeneralConfig(database=str(tmp_path / "db.sqlite3")),
        schedules=SchedulesConfig(weekly_digest="", bulletin_draft="", housekeeping="",
                                  delivery_interval_seconds=0),
    )
    assert [spec.job_id for spec in scheduler.job_specs(service_for(config))] == ["digest:daily"]


def test_source_trigger_prefers_cron_then_seconds_then_minutes() -> None:
    """cron wins over interval_seconds, which wins over interval_minutes; 6 cron fields mean seconds."""
    config = Config(path="dondoc.toml")
    cron = source_trigger(source("a", cron="*/7 * * * * *", interval_seconds=3), 0, config)
    assert "second='*/7'" in str(cron)
    seconds = source_trigger(source("a", interval_seconds=3), 0, config)
    assert isinstance(seconds, IntervalTrigger) and seconds.interval == dt.timedelta(seconds=3)
    minutes = source_trigger(source("a", interval_minutes=90), 0, config)
    assert minutes.interval == dt.timedelta(minutes=90)


def test_bad_cron_is_a_config_error_naming_key_and_file() -> None:
    """A cron expression APScheduler refuses stops the start with the key and the file named."""
    with pytest.raises(ConfigError) as caught:
        cron_trigger("61 * * * *", "schedules.daily_digest", Config(path="/etc/dondoc.toml"))
    assert "schedules.daily_digest" in str(caught.value) and "/etc/dondoc.toml" in str(caught.value)


def test_first_run_is_immediate_once_after_missed_slots() -> None:
    """A run missed while stopped happens once at start; a future stored run is kept; crawls start at once."""
    every_hour = JobSpec("x", IntervalTrigger(hours=1, start_date=NOW - dt.timedelta(minutes=30)),
                                   lambda: JobResult("ok"))
    assert first_run_time(every_hour, NOW - dt.timedelta(days=3), NOW) == NOW
    later = NOW + dt.timedelta(minutes=10)
    assert first_run_time(every_hour, later, NOW) == later
    assert first_run_time(every_hour, None, NOW) is None
    crawl = JobSpec("crawl:x", every_hour.trigger, every_hour.work, run_at_start=True)
    assert first_run_time(crawl, None, NOW) == NOW


def test_file_lock_admits_one_holder(tmp_path: Path) -> None:
    """A second taker of the run lock gets AlreadyRunningError; after release it can take it."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = acquire_lock(url, "run", wait=False)
    with pytest.raises(AlreadyRunningError) as caught:
        acquire_lock(url, "run", wait=False)
    assert "--wait" in str(caught.value)
    assert service_is_running(url)
    first.release()
    assert not service_is_running(url)
    acquire_lock(url, "run", wait=False).release()


@pytest.mark.postgres
def test_postgres_advisory_lock_admits_one_holder(postgres_url: str) -> None:
    """On PostgreSQL the run lock is an advisory lock: a second taker is refused until release."""
    first = acquire_lock(postgres_url, "run", wait=False)
    with pytest.raises(AlreadyRunningError):
        acquire_lock(postgres_url, "run", wait=False)
    other = acquire_lock(postgres_url, "extract", wait=False)
    other.release()
    first.release()
    acquire_lock(postgres_url, "run", wait=False).release()


def add_broken_source(session: Session) -> None:
    """A source that failed three times in a row, and one healthy source."""
    session.add(Source(name="hong", family="news", start_url="http://127.0.0.1:9/", consecutive_failures=3,
                       last_error="không kết nối được tới máy chủ", last_failure_at=NOW, items_last_run=0))
    session.add(Source(name="tot", family="news", start_url="http://127.0.0.1:9/", consecutive_failures=0,
                       last_success_at=NOW - dt.timedelta(minutes=2), items_last_run=4))
    session.add(ServiceJob(job_id="crawl:hong", runs=3, failures=3, last_outcome="failed",
                           last_error="Nguồn hong: LỖI: không kết nối được", last_started_at=NOW))
    session.commit()


def test_metrics_report_a_broken_source(session: Session) -> None:
    """/metrics text: job counters, per-source up, failures and staleness (+Inf when never succeeded)."""
    add_broken_source(session)
    config = Config(sources=(source("hong"), source("tot")))
    text = metrics_text(collect_metrics(session, config, NOW))
    assert 'dondoc_job_failures_total{job="crawl:hong"} 3' in text
    assert 'dondoc_source_up{source="hong"} 0' in text
    assert 'dondoc_source_consecutive_failures{source="hong"} 3' in text
    assert 'dondoc_source_staleness_seconds{source="hong"} +Inf' in text
    assert 'dondoc_source_staleness_seconds{source="tot"} 120' in text
    assert text.count("# TYPE dondoc_source_up gauge") == 1


def test_metric_labels_are_escaped() -> None:
    """Quotes, backslashes and newlines in label values are escaped as the text format requires."""
    text = metrics_text([Metric("m", "gauge", "h", 1.5, (("source", 'a"b\\c\nd'),))])
    assert 'm{source="a\\"b\\\\c\\nd"} 1.5' in text


def test_metrics_parse_as_prometheus_text_and_openmetrics(session: Session) -> None:
    """Both expositions parse with prometheus_client's own parsers, keeping every family and sample."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
    from prometheus_client.parser import text_string_to_metric_families

    add_broken_source(session)
    config = Config(sources=(source("hong"), source("tot")))
    metrics = collect_metrics(session, config, NOW)
    families = {f.name: f for f in text_string_to_metric_families(metrics_text(metrics))}
    assert families["dondoc_job_runs"].type == "counter"
    assert [s.value for s in families["dondoc_job_failures"].samples] == [3]
    openmetrics = {f.name: f for f in parse_openmetrics(metrics_text(metrics, openmetrics=True))}
    assert openmetrics.keys() == families.keys()
    staleness = {s.labels["source"]: s.value for s in openmetrics["dondoc_source_staleness_seconds"].samples}
    assert staleness == {"hong": float("inf"), "tot": 120}


def test_served_metrics_parse_in_both_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /metrics parses as Prometheus text; with an OpenMetrics Accept header, as OpenMetrics."""
    import urllib.request

    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
    from prometheus_client.parser import text_string_to_metric_families

    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    config = Config(general=GeneralConfig(database=str(tmp_path / "m.sqlite3")), sources=(source("hong"),),
                    service=ServiceConfig(health_port=free_port()))  # fmt: skip
    server = start_health_server(service_for(config))
    assert server is not None
    url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            plain_type, plain = reply.headers["Content-Type"], reply.read().decode()
        accept = {"Accept": "application/openmetrics-text; version=1.0.0"}
        request = urllib.request.Request(url, headers=accept)
        with urllib.request.urlopen(request, timeout=30) as reply:
            open_type, open_body = reply.headers["Content-Type"], reply.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert plain_type.startswith("text/plain") and open_type.startswith("application/openmetrics-text")
    assert "dondoc_source_up" in {f.name for f in text_string_to_metric_families(plain)}
    assert "dondoc_source_up" in {f.name for f in parse_openmetrics(open_body)}
    assert open_body.endswith("# EOF\n")


def test_health_endpoint_takes_a_burst_and_closes_idle_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 /healthz requests from 50 clients at once all get "ok" (no reset from a short listen
    queue); a client that connects and sends nothing is disconnected by the server."""
    import socket
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    config = Config(general=GeneralConfig(database=str(tmp_path / "h.sqlite3")),
                    service=ServiceConfig(health_port=free_port()))  # fmt: skip
    server = start_health_server(service_for(config))
    assert server is not None
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"

    def ask(_: int) -> bytes:
        with urllib.request.urlopen(url, timeout=60) as reply:
            return bytes(reply.read())

    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(ask, range(2000)))
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=60) as idle:
            closed_by_server = idle.recv(1) == b""
    finally:
        server.shutdown()
        server.server_close()
    assert answers == [b"ok\n"] * 2000
    assert closed_by_server


def test_metrics_content_type_follows_accept() -> None:
    """OpenMetrics is served only when the Accept header asks for it."""
    assert wants_openmetrics("application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
    assert not wants_openmetrics("text/plain")
    assert not wants_openmetrics(None)
    assert metrics_content_type(True).startswith("application/openmetrics-text")


def test_status_lists_jobs_sources_and_outbox(session: Session) -> None:
    """`dondoc status` names the failing source with its error, the job outcome and the outbox counts."""
    add_broken_source(session)
    session.add(OutboxMessage(idempotency_key="k1", channel="email", address="a@b", body="x", period="daily",
                              status="failed", created_at=NOW))
    session.commit()
    config = Config(sources=(source("hong"), source("tot"), source("moi")))
    text = "\n".join(status_lines(session, config, running=False, now_=NOW))
    assert "Dịch vụ: không chạy" in text
    assert "crawl:hong: lần cuối 01/10/2025 08:00:00 – lỗi (3 lần chạy, 3 lần không thành công)" in text
    assert "hong: LỖI 3 lần liên tiếp" in text and "không kết nối được tới máy chủ" in text
    assert "tot: tốt" in text and "moi: chưa thu thập lần nào" in text
    assert "1 lỗi" in text


def test_a_quiet_source_is_stale_alike_in_status_and_in_alerts(session: Session) -> None:
    """A source whose last new item is older than its stale_after_days is flagged with the same day
    count by `dondoc status` and by the operator alerts; a recent one by neither."""
    from crawler.crawl import health_alerts

    quiet, fresh = NOW - dt.timedelta(days=12), NOW - dt.timedelta(days=2)
    session.add_all([
        Source(name="lang", family="generic", start_url="http://127.0.0.1/", last_success_at=NOW,
               last_item_at=quiet, consecutive_failures=0, items_last_run=4),
        Source(name="moi", family="generic", start_url="http://127.0.0.1/", last_success_at=NOW,
               last_item_at=fresh, consecutive_failures=0, items_last_run=4),
    ])
    session.commit()
    config = Config(sources=(source("lang", stale_after_days=10), source("moi", stale_after_days=10)))
    text = "\n".join(status_lines(session, config, running=False, now_=NOW))
    alerts = health_alerts(session, config.sources, NOW)
    assert "lang: tốt" in text and "CẢNH BÁO: 12 ngày không có tin mới" in text
    assert text.count("CẢNH BÁO") == 1
    assert [(a.source, a.kind) for a in alerts] == [("lang", "stale")]
    assert "trong 12 ngày" in alerts[0].message


def test_housekeeping_prunes_old_pages_but_keeps_latest_and_used(session: Session) -> None:
    """Old raw pages go, except each URL's latest copy and pages a document was read from."""
    old = NOW - dt.timedelta(days=400)
    pages = [Page(url=url, content_hash=str(i), content=b"x", status=200, fetched_at=old)
             for i, url in enumerate(["/a", "/a", "/a", "/b"])]
    session.add_all(pages)
    session.flush()
    session.add(Document(url="/a", page_id=pages[0].id, kind="article", text="t", text_hash="h",
                         created_at=old))
    session.commit()
    assert prune_raw_pages(session, NOW - dt.timedelta(days=180)) == 1
    session.commit()
    kept = sorted(session.scalars(Page.__table__.select().with_only_columns(Page.id)))
    assert kept == [pages[0].id, pages[2].id, pages[3].id]


SLEEPER_WITH_HELPER = """
import subprocess, sys, time
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("helper", helper.pid, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_overrunning_child_is_killed_with_its_group(tmp_path: Path) -> None:
    """A child past its limit is killed with the processes of its group (like the worker's PDF pool),
    reported as killed, and unregistered."""
    log = tmp_path / "child.log"
    children = ChildGroups()
    exit_ = run_in_group([sys.executable, "-c", SLEEPER_WITH_HELPER], log, 3, children)
    assert exit_.killed and exit_.returncode < 0 and children.groups() == []
    helper = int(log.read_text(encoding="utf-8").split()[1])
    wait_until(lambda: not running(helper), what="the helper to be killed", limit_s=30)


def test_failing_source_alerts_the_operator_once(tmp_path: Path) -> None:
    """Reaching failures_before_alert queues one operator notice; the next failure does not repeat it."""
    config = Config(
        general=GeneralConfig(database=str(tmp_path / "db.sqlite3"), operator_recipient="Tổ vận hành"),
        sources=(source("hong", failures_before_alert=2),),
        recipients=(RecipientConfig(name="Tổ vận hành", units=(),
                                    channels=(ChannelConfig(type="file", address="operator.txt"),)),),
    )
    service = service_for(config)
    with service.sessions() as session:
        sync_config(session, config.units, config.recipients, None)
        session.commit()
    for _ in range(3):
        failure = SourceOutcome("hong", False, "không kết nối được tới máy chủ")
        with service.sessions() as session:
            record_outcome(session, config.sources[0], failure, NOW)
            session.commit()
        alert_failing_source(service, config.sources[0])
    with service.sessions() as session:
        query = select(OutboxMessage.body).where(OutboxMessage.period.like("operator:%"))
        notices = session.scalars(query).all()
    assert len(notices) == 1 and "Nguồn hong lỗi 2 lần liên tiếp" in notices[0]


def test_log_lines_carry_the_event_fields() -> None:
    """Text logs end with key=value fields; JSON logs are one object per line with the same fields."""
    record = logging.LogRecord("dondoc", logging.INFO, __file__, 1, "job finished: %s", ("ok",), None)
    record.job_id, record.outcome = "crawl:a", "ok"
    text = KeyValueFormatter("%(levelname)s %(message)s").format(record)
    assert text == "INFO job finished: ok job_id=crawl:a outcome=ok"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "job finished: ok" and entry["job_id"] == "crawl:a"
    assert entry["level"] == "INFO"


@pytest.mark.postgres
def test_second_run_on_postgres_exits_with_a_clear_message(postgres_url: str, tmp_path: Path) -> None:
    """With the advisory lock held, `dondoc run` on the same PostgreSQL database exits 2 in one line."""
    config = tmp_path / "dondoc.toml"
    config.write_text("[service]\nhealth_port = 0\n", encoding="utf-8")
    lock = acquire_lock(postgres_url, "run", wait=False)
    try:
        result = run_dondoc(config, "run", timeout=120, env=dondoc_env(DONDOC_DATABASE_URL=postgres_url))
    finally:
        lock.release()
    assert result.returncode == 2
    assert "“dondoc run” khác đang chạy" in result.stderr and "PostgreSQL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_restart_runs_a_missed_job_once_and_keeps_future_runs(tmp_path: Path) -> None:
    """At start, a job whose stored next run passed while the service was down is due at once (one
    run, however many slots were missed); a job with a future stored run keeps it."""
    schedules = SchedulesConfig(bulletin_draft="", housekeeping="", delivery_interval_seconds=0)
    config = Config(general=GeneralConfig(database=str(tmp_path / "db.sqlite3")), schedules=schedules)
    service = service_for(config)
    later = NOW + dt.timedelta(hours=2)
    with service.sessions() as session:
        missed = NOW - dt.timedelta(days=3)
        session.add(ServiceJob(job_id="digest:daily", next_run_at=missed, runs=5, failures=0))
        session.add(ServiceJob(job_id="digest:weekly", next_run_at=later, runs=1, failures=0))
        session.commit()
    background = schedule_jobs(service, scheduler.job_specs(service))
    background.start(paused=True)
    try:
        jobs = {job.id: job for job in background.get_jobs()}
    finally:
        background.shutdown(wait=False)
    assert jobs["digest:daily"].next_run_time == NOW
    assert jobs["digest:weekly"].next_run_time == later
    assert jobs["digest:daily"].coalesce and jobs["digest:daily"].max_instances == 1


def test_housekeeping_warns_once_a_day_about_the_zalo_refresh_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh token expiring within 14 days queues one operator notice per day, however often
    housekeeping runs; a missing pair is reported, and without a Zalo app id nothing is checked."""
    monkeypatch.delenv("DONDOC_ZALO_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("DONDOC_ZALO_REFRESH_TOKEN", raising=False)
    config = Config(
        general=GeneralConfig(database=str(tmp_path / "db.sqlite3"), output_dir=str(tmp_path / "out"),
                              operator_recipient="Tổ vận hành"),
        channels=ChannelsConfig(zalo=ZaloConfig(app_id="app-1")),
        recipients=(RecipientConfig(name="Tổ vận hành", units=(),
                                    channels=(ChannelConfig(type="file", address="operator.txt"),)),),
    )
    assert zalo_token_warnings(config, NOW)[0].startswith("Zalo OA chưa có access token")
    assert zalo_token_warnings(Config(general=config.general), NOW) == []
    FileTokenStore(tmp_path / "out" / ZALO_TOKEN_FILE).save(
        ZaloTokens("A", "R", NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=10)))
    clock = [NOW]
    upgrade_database(config.database_url())
    service = Service(config, lambda: clock[0])
    for moment in (NOW, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=1)):
        clock[0] = moment
        result = housekeeping_job(service)
    assert "1 cảnh báo token Zalo" in result.detail
    with service.sessions() as session:
        query = select(OutboxMessage.body).where(OutboxMessage.period.like("operator:%"))
        notices = sorted(session.scalars(query).all())
    assert len(notices) == 2
    assert "hết hạn sau 10 ngày" in notices[0] and "hết hạn sau 9 ngày" in notices[1]
