"""Reading tracked tasks and events from the database, and finding a unit's tasks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from notify_helpers import AS_OF, add_document, add_task, tasks_for_unit
from sqlalchemy.orm import Session

from crawler.storage.tasks import index_by_unit, load_events, load_tasks
from crawler.storage.units import name_key, unit_resolver
from notifier.channels.base import OutgoingMessage
from notifier.channels.console import ConsoleChannel, FileChannel


def test_tracked_tasks_carry_document_and_match_units(session: Session) -> None:
    """A unit's tasks are those naming it (any spelling variant) as lead or support."""
    doc = add_document(session, "46-TB/TGV", "http://127.0.0.1/vb?docid=46")
    add_task(session, "a", "Ban hành khung", ["Bộ Khoa học và Công nghệ"], dt.date(2025, 10, 5), document=doc)
    add_task(session, "b", "Phối hợp", ["Bộ Công an"], None, support=["Bộ Khoa Học  và Công nghệ"])
    add_task(session, "c", "Khác", ["Sở Tài chính"], dt.date(2025, 11, 1), new_on=AS_OF)
    session.commit()
    views = tasks_for_unit(session, "bộ khoa học và công nghệ")
    assert [v.action for v in views] == ["Ban hành khung", "Phối hợp"]
    assert views[0].document_number == "46-TB/TGV" and views[0].document_url == "http://127.0.0.1/vb?docid=46"
    assert views[0].deadline.due == dt.date(2025, 10, 5)
    assert views[1].document_url is None
    assert set(index_by_unit(load_tasks(session), unit_resolver(session))) == {
        name_key("Bộ Khoa học và Công nghệ"),
        name_key("Bộ Công an"),
        name_key("Sở Tài chính"),
    }
    assert [e.kind for e in load_events(session, AS_OF - dt.timedelta(1), AS_OF)] == ["new"]
    assert load_events(session, AS_OF, AS_OF + dt.timedelta(7)) == []


def test_name_key_folds_tone_placement_and_composition() -> None:
    """Old tone placement, decomposed letters and case do not prevent a match."""
    import unicodedata

    assert name_key(unicodedata.normalize("NFD", "Uỷ ban nhân dân  tỉnh")) == name_key("Ủy ban nhân dân tỉnh")


def test_console_and_file_channels(tmp_path: Path) -> None:
    """Console prints; file appends once per message key, even when sent twice."""
    message = OutgoingMessage("k1", "file", "digests/a.txt", "Tiêu đề", "Nội dung\x1e tiếp")
    stream = io.StringIO()
    ConsoleChannel(stream).send(message)
    assert "Tiêu đề" in stream.getvalue() and "Nội dung tiếp" in stream.getvalue()
    channel = FileChannel(tmp_path)
    channel.send(message)
    channel.send(message)
    text = (tmp_path / "digests" / "a.txt").read_text(encoding="utf-8")
    assert text.count("Nội dung tiếp") == 1


def test_create_channels_skips_unconfigured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tokens only console, file and email (no SMTP login) are built; a token enables Telegram."""
    from sqlalchemy.orm import sessionmaker

    from crawler.config import Config, GeneralConfig
    from notifier.channels.factory import create_channels

    monkeypatch.delenv("DONDOC_TELEGRAM_TOKEN", raising=False)
    config = Config(general=GeneralConfig(output_dir=str(tmp_path)))
    built = create_channels(
        config, sessions=sessionmaker(), clock=lambda: dt.datetime.now(dt.UTC), sleep=lambda s: None
    )
    assert sorted(built) == ["console", "email", "file"]
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", "1:x")
    built = create_channels(
        config, sessions=sessionmaker(), clock=lambda: dt.datetime.now(dt.UTC), sleep=lambda s: None
    )
    assert "telegram" in built


def test_channels_come_from_the_registry_and_unconfigured_ones_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """create_channels builds every registered channel through its from_config: a newly registered
    class is built with the shared context, and one lacking its secret is logged and skipped."""
    import logging
    from typing import ClassVar

    from sqlalchemy.orm import sessionmaker

    from crawler.config import Config, GeneralConfig
    from notifier.channels import load_builtin, register
    from notifier.channels.base import ChannelContext, SendResult
    from notifier.channels.factory import create_channels

    class Pager:
        """A channel only this test knows."""

        name: ClassVar[str] = "pager"
        part_limit: ClassVar[int | None] = None
        max_tags: ClassVar[int | None] = None

        def __init__(self, context: ChannelContext) -> None:
            """Keep the context it was built with."""
            self.context = context

        @classmethod
        def from_config(cls, config: Config, context: ChannelContext) -> Pager:
            """Always available."""
            return cls(context)

        def send(self, message: OutgoingMessage) -> SendResult:
            """Accept everything."""
            return SendResult()

    monkeypatch.delenv("DONDOC_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setattr("notifier.channels.REGISTRY", dict(load_builtin()))
    register(Pager)
    config = Config(general=GeneralConfig(output_dir=str(tmp_path)))
    with caplog.at_level(logging.INFO, logger="notifier.channels.factory"):
        built = create_channels(
            config, sessions=sessionmaker(), clock=lambda: dt.datetime.now(dt.UTC), sleep=lambda s: None
        )
    pager = built["pager"]
    assert isinstance(pager, Pager) and pager.context.output_dir == tmp_path
    assert "telegram" not in built and "channel telegram skipped: thiếu token Telegram" in caplog.text
