"""Ready site profiles load, match their spider's options, and bad options fail their source only."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crawler.config import SourceConfig
from crawler.crawl import SourceOutcome, health_alerts, record_outcome
from crawler.errors import ConfigError
from crawler.profiles import load_profile, profile_names
from crawler.spiders import option_problem
from crawler.storage.engine import make_engine, session_factory

READY = ("baochinhphu", "baochinhphu_rss", "moha", "nhandan_rss", "tinh_liferay", "vanban_chinhphu")


def test_every_ready_profile_is_valid() -> None:
    """Each bundled profile is a valid source whose options its spider understands."""
    assert set(READY) <= set(profile_names())
    for name in READY:
        source = load_profile(name)
        assert option_problem(source) is None, name
        assert not source.local and source.allowed_domains


def test_unknown_profile_and_bad_options_are_reported() -> None:
    """Unknown profile names and unknown or missing option keys give one-line reasons."""
    with pytest.raises(ConfigError, match="không có hồ sơ"):
        load_profile("khong-co")
    base = load_profile("baochinhphu")
    typo = dataclasses.replace(base, options={**base.options, "item_selectr": "div"})
    assert "item_selectr" in (option_problem(typo) or "")
    missing = dataclasses.replace(base, options={"link_selector": "a::attr(href)"})
    assert "item_selector" in (option_problem(missing) or "")


def test_health_alerts_after_repeated_failures_and_staleness(db_url: str) -> None:
    """N failures in a row raise a 'failing' alert; no new item for longer than allowed, a 'stale' one."""
    source = SourceConfig(name="tinh", family="news", start_url="https://tinh.gov.vn/",
                          failures_before_alert=2, stale_after_days=3)
    start = dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
    with session_factory(make_engine(db_url))() as session:
        record_outcome(session, source, SourceOutcome("tinh", True, new_documents=2, items_listed=5), start)
        session.commit()
        assert health_alerts(session, [source], start + dt.timedelta(days=1)) == ()
        for day in (1, 2):
            failed = SourceOutcome("tinh", False, "HTTP 500 tại https://tinh.gov.vn/")
            record_outcome(session, source, failed, start + dt.timedelta(days=day))
        session.commit()
        alerts = health_alerts(session, [source], start + dt.timedelta(days=5))
    assert [a.kind for a in alerts] == ["failing", "stale"]
    assert "2 lần liên tiếp" in alerts[0].message and "HTTP 500" in alerts[0].message
    assert "5 ngày" in alerts[1].message


def test_selector_alert_when_a_list_that_had_items_parses_to_none(db_url: str) -> None:
    """A list page with items last run and none now gives a 'selector' alert; a first empty run does not."""
    source = SourceConfig(name="tinh", family="news", start_url="https://tinh.gov.vn/")
    now = dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
    empty = SourceOutcome("tinh", False, "trang danh sách không có mục nào", empty_listing=True)
    with session_factory(make_engine(db_url))() as session:
        assert record_outcome(session, source, empty, now) is None
        assert record_outcome(session, source, SourceOutcome("tinh", True, items_listed=20), now) is None
        alert = record_outcome(session, source, empty, now)
    assert alert is not None and alert.kind == "selector" and "lần trước có 20" in alert.message
