"""Database-wide locks: one `dondoc run` per database, one extraction at a time (a file lock for
SQLite, an advisory lock for PostgreSQL)."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crawler.errors import AlreadyRunningError
from service.context import sqlite_file

log = logging.getLogger("dondoc")

LOCKS = {"run": ("lock", 0x646F6E646F63), "extract": ("extract.lock", 0x646F6E646F64)}
"""Database-wide locks: purpose -> (suffix of the file next to a SQLite database, PostgreSQL advisory key)."""


@dataclass(frozen=True)
class InstanceLock:
    """A held database-wide lock: what it is (for logs) and how to let it go."""

    description: str
    release: Callable[[], None]


def sqlite_lock_path(url: str, suffix: str) -> Path | None:
    """The lock file next to a SQLite database file; None for other databases and in-memory SQLite."""
    database = sqlite_file(url)
    return database.with_name(f"{database.name}.{suffix}") if database is not None else None


def acquire_lock(url: str, purpose: str, wait: bool) -> InstanceLock:
    """Take a database-wide lock ("run": one service per database; "extract": one extraction at a time):
    a file lock for SQLite, an advisory lock for PostgreSQL; AlreadyRunningError when busy and not waiting."""
    from sqlalchemy.engine import make_url

    suffix, key = LOCKS[purpose]
    path = sqlite_lock_path(url, suffix)
    if path is not None:
        return _file_lock(path, wait)
    if make_url(url).get_backend_name() == "postgresql":
        return _postgres_lock(url, key, wait)
    return InstanceLock("không khóa (cơ sở dữ liệu trong bộ nhớ)", lambda: None)


def busy_message(where: str) -> str:
    """The one line a second `dondoc run` prints before it exits."""
    return (f"một tiến trình “dondoc run” khác đang chạy trên cơ sở dữ liệu này ({where}); "
            "dừng tiến trình đó trước, hoặc dùng --wait để chờ")


def _file_lock(path: Path, wait: bool) -> InstanceLock:
    """flock() on a file next to the database; the kernel frees it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            handle.close()
            raise AlreadyRunningError(busy_message(f"khóa {path}")) from None
        log.info("waiting for the lock %s held by another dondoc process", path)
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()

    def release() -> None:
        """Unlock and close the lock file (the file itself stays, it is harmless)."""
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return InstanceLock(f"tệp khóa {path}", release)


def _postgres_lock(url: str, key: int, wait: bool) -> InstanceLock:
    """A session-level advisory lock held on a dedicated connection until released."""
    from crawler.storage.engine import make_engine
    from crawler.storage.service_state import advisory_lock, advisory_unlock, try_advisory_lock

    engine = make_engine(url)
    connection = engine.connect()
    got = try_advisory_lock(connection, key)
    if not got and not wait:
        connection.close()
        engine.dispose()
        raise AlreadyRunningError(busy_message(f"khóa advisory {key} của PostgreSQL"))
    if not got:
        log.info("waiting for the PostgreSQL advisory lock %d held by another dondoc process", key)
        advisory_lock(connection, key)
    connection.commit()

    def release() -> None:
        """Unlock, then close the connection that held the lock."""
        advisory_unlock(connection, key)
        connection.commit()
        connection.close()
        engine.dispose()

    return InstanceLock(f"khóa advisory {key} của PostgreSQL", release)


@contextmanager
def holding(lock: InstanceLock) -> Iterator[InstanceLock]:
    """Release a lock when the block ends, however it ends."""
    try:
        yield lock
    finally:
        lock.release()


def service_is_running(url: str) -> bool | None:
    """Whether some `dondoc run` holds the instance lock of this database (for `dondoc status`);
    None when this user cannot tell (the lock file is not readable). Creates no file: a service
    that runs has made its lock file already."""
    path = sqlite_lock_path(url, LOCKS["run"][0])
    if path is not None and not path.exists():
        return False
    try:
        lock = acquire_lock(url, "run", wait=False)
    except AlreadyRunningError:
        return True
    except OSError as exc:
        log.info("cannot check the instance lock: %s", exc)
        return None
    lock.release()
    return False
