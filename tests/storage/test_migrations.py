"""Migrations apply on SQLite and PostgreSQL, are idempotent and match schema.py exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, inspect, select, text

from crawler.storage.engine import (
    current_revision,
    head_revision,
    make_engine,
    session_factory,
    upgrade_database,
)
from crawler.storage.schema import Base, Document, ServiceJob, Task, TaskEvent, UtcDateTime


def test_upgrade_creates_every_table_and_twice_is_a_no_op(db_url: str) -> None:
    """Upgrading an empty database creates all tables; a second upgrade changes nothing."""
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migration_matches_schema(db_url: str) -> None:
    """The migrated database has no difference from schema.py (else run crawler.storage.regenerate)."""
    upgrade_database(db_url)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], "schema.py and the migration differ: run `python -m crawler.storage.regenerate`"


def test_round_trip_of_a_task_with_json_and_dates(db_url: str) -> None:
    """A document, task and event written through the ORM read back identically, Vietnamese included."""
    upgrade_database(db_url)
    engine = make_engine(db_url)
    make_session = session_factory(engine)
    when = dt.datetime(2025, 10, 1, 8, 30, tzinfo=dt.UTC)
    with make_session.begin() as session:
        document = Document(url="http://127.0.0.1/vb/46", kind="directive", number="46-TB/TGV",
                            text="Bộ Khoa học và Công nghệ", text_hash="x", created_at=when)
        session.add(document)
        session.flush()
        task = Task(identity="i" * 64, document_id=document.id, action="Ban hành Khung Kiến trúc",
                    lead=["Bộ Khoa học và Công nghệ"], support=["Ủy ban nhân dân tỉnh"],
                    source_refs=["46-TB/TGV"], deadline_raw="05/10/2025", due=dt.date(2025, 10, 5),
                    precision="day", first_seen=dt.date(2025, 10, 1), last_seen=dt.date(2025, 10, 1))
        session.add(task)
        session.flush()
        session.add(TaskEvent(task_id=task.id, kind="new", on=dt.date(2025, 10, 1), detail={"new": "x"}))
    with make_session() as session:
        stored = session.scalars(select(Task)).one()
        assert stored.lead == ["Bộ Khoa học và Công nghệ"]
        assert stored.support == ["Ủy ban nhân dân tỉnh"]
        assert stored.due == dt.date(2025, 10, 5)
        assert stored.listed is True
        event = session.scalars(select(TaskEvent)).one()
        assert (event.kind, event.key, event.detail) == ("new", "", {"new": "x"})
    engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_url: str) -> None:
    """SQLite connections come with foreign keys on and WAL journaling, so two processes can share it."""
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    engine.dispose()


def test_migrations_ship_in_the_package() -> None:
    """Migrations are packages (a non-editable install carries them) and the template is package data."""
    import tomllib

    from setuptools import find_packages

    root = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = set(find_packages(where=str(root), include=include))
    assert {"crawler.storage.migrations", "crawler.storage.migrations.versions"} <= packages
    assert "*.mako" in pyproject["tool"]["setuptools"]["package-data"]["*"]


def test_sqlite_database_folder_is_created(tmp_path: Path) -> None:
    """A SQLite file in a folder that does not exist yet is created by the upgrade."""
    url = f"sqlite:///{tmp_path / 'moi' / 'thu-muc' / 'dondoc.sqlite3'}"
    upgrade_database(url)
    assert current_revision(url) == head_revision()


def test_every_timestamp_reads_back_aware_in_utc(db_url: str) -> None:
    """A time written at +07:00 reads back as the same instant, aware and in UTC, on SQLite and
    PostgreSQL alike, and queries compare instants; every timestamp column has that type."""
    columns = [c for table in Base.metadata.tables.values() for c in table.columns]
    assert not [c for c in columns if isinstance(c.type, DateTime)]
    assert sum(isinstance(c.type, UtcDateTime) for c in columns) == 27  # pages.checked_at (0009) is the 27th
    upgrade_database(db_url)
    engine = make_engine(db_url)
    make_session = session_factory(engine)
    written = dt.datetime(2025, 10, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with make_session() as session:
        session.add(ServiceJob(job_id="digest", next_run_at=written, runs=0, failures=0))
        session.commit()
    with make_session() as session:
        stored = session.get_one(ServiceJob, "digest").next_run_at
        after = select(ServiceJob.job_id).where(ServiceJob.next_run_at > dt.datetime(2025, 10, 1, 1, 29))
        before = select(ServiceJob.job_id).where(
            ServiceJob.next_run_at > dt.datetime(2025, 10, 1, 1, 31, tzinfo=dt.UTC))
        found = (session.scalar(after), session.scalar(before))
    engine.dispose()
    assert stored == written and stored is not None and stored.tzinfo == dt.UTC
    assert found == ("digest", None)
