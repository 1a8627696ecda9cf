"""I/O faults as one Vietnamese line naming the path: a database that cannot be opened, a folder that
is a file, a read-only or full disk. SQLite's own text ("unable to open database file") names no path,
so the configured database is diagnosed here."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from service.context import sqlite_file

OS_REASONS: dict[int, str] = {
    errno.ENOENT: "không tồn tại",
    errno.ENOTDIR: "có một phần của đường dẫn là tệp, không phải thư mục",
    errno.EEXIST: "đã có một tệp trùng tên ở chỗ cần một thư mục",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EROFS: "nằm trên hệ thống tệp chỉ đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã vượt hạn mức dung lượng",
    errno.EISDIR: "là một thư mục, không phải tệp",
}
SQLITE_REASONS: dict[str, str] = {
    "unable to open database file": "không mở được tệp",
    "readonly database": "tệp hoặc thư mục chỉ cho phép đọc",
    "database or disk is full": "ổ đĩa đã đầy",
    "disk i/o error": "lỗi đọc/ghi ổ đĩa",
    "file is not a database": "tệp này không phải cơ sở dữ liệu SQLite",
}


def os_reason(exc: OSError) -> str:
    """What an OSError means, in Vietnamese."""
    return OS_REASONS.get(exc.errno or 0, f"lỗi vào/ra (mã lỗi {exc.errno})")


def blocking_file(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is a file (so the folder cannot exist)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def database_diagnosis(database: Path, fallback: str) -> str:
    """Why a SQLite file cannot be opened, from the path itself; `fallback` when nothing shows."""
    blocker = blocking_file(database)
    if blocker is not None:
        return f"{blocker} là một tệp, không phải thư mục"
    if database.is_dir():
        return "đường dẫn này là một thư mục, không phải tệp"
    folder = next((parent for parent in database.parents if parent.exists()), None)
    if folder is not None and not os.access(folder, os.W_OK):
        return f"thư mục {folder} không cho phép ghi"
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        return "tệp không cho phép đọc và ghi"
    return fallback


def sqlite_reason(exc: BaseException) -> str | None:
    """The Vietnamese meaning of a SQLite error's text, or None when it is no I/O fault."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return next((reason for key, reason in SQLITE_REASONS.items() if key in text), None)


def io_fault_message(exc: BaseException, database_url: str | None) -> str | None:
    """One Vietnamese line naming the path for a file or database I/O fault; None for other errors."""
    from sqlalchemy.exc import DBAPIError

    database = sqlite_file(database_url) if database_url else None
    if isinstance(exc, OSError) and exc.filename is not None:
        path = Path(os.fsdecode(exc.filename)).resolve()
        if database is not None and (path in database.parents or path.parent == database.parent):
            return database_problem(database, database_diagnosis(database, os_reason(exc)))
        return f"lỗi với tệp hoặc thư mục {path}: {os_reason(exc)}"
    if not isinstance(exc, DBAPIError):
        return None
    reason = sqlite_reason(exc)
    if database is None or reason is None:
        return None
    return database_problem(database, database_diagnosis(database, reason))


def database_problem(database: Path, reason: str) -> str:
    """The line for a SQLite database that cannot be used."""
    return f"không dùng được cơ sở dữ liệu SQLite {database}: {reason}"
