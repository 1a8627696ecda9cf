"""I/O faults name the path in Vietnamese: a database under a regular file (the folder cannot exist, even
for root), a database path that is a folder, a read-only folder, a full disk, an output folder that is a
file."""

from __future__ import annotations

import errno
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from service.iofaults import database_diagnosis, io_fault_message

sys.path.insert(0, str(Path(__file__).resolve().parent / "service"))

from service_helpers import run_dondoc

PREFIX = "không dùng được cơ sở dữ liệu SQLite"
COMMANDS = [["db", "upgrade"], ["digest"], ["invite", "--unit", "Bộ Nội vụ"], ["run"]]
ENGLISH = ("unable to open", "Errno", "NotADirectoryError", "FileExistsError", "OperationalError")


def sqlite_error(text: str) -> OperationalError:
    """SQLAlchemy's wrapper of a sqlite3 error with this text."""
    return OperationalError("SELECT 1", {}, sqlite3.OperationalError(text))


def config_with_database(folder: Path, database: str) -> Path:
    """A dondoc.toml naming `database` (relative to the config's folder)."""
    path = folder / "dondoc.toml"
    path.write_text(f'[general]\ndatabase = "{database}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("database", ["afile/db.sqlite3", "afile/sub/db.sqlite3"])
@pytest.mark.parametrize("command", COMMANDS)
def test_database_under_a_regular_file_names_the_path(tmp_path: Path, database: str,
                                                      command: list[str]) -> None:
    """The folder of the database is a regular file: one Vietnamese line with both paths, exit 1."""
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    config = config_with_database(tmp_path, database)
    result = run_dondoc(config, *command, timeout=120)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"Lỗi: {PREFIX} {tmp_path / database}: "
                     f"{tmp_path / 'afile'} là một tệp, không phải thư mục"]
    assert not any(word in result.stderr for word in ENGLISH)


def test_database_path_that_is_a_folder_names_it(tmp_path: Path) -> None:
    """SQLite's "unable to open database file" (no path) becomes a line naming the path and why."""
    (tmp_path / "data.sqlite3").mkdir()
    config = config_with_database(tmp_path, "data.sqlite3")
    result = run_dondoc(config, "db", "upgrade", timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Lỗi: {PREFIX} {tmp_path / 'data.sqlite3'}: "
                                     "đường dẫn này là một thư mục, không phải tệp")


def test_read_only_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder the service may not write (simulated: tests may run as root) is named."""
    monkeypatch.setattr("service.iofaults.os.access", lambda _path, _mode: False)
    assert database_diagnosis(tmp_path / "db.sqlite3", "?") == f"thư mục {tmp_path} không cho phép ghi"
    error = sqlite_error("unable to open database file")
    message = io_fault_message(error, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert message == f"{PREFIX} {tmp_path / 'db.sqlite3'}: thư mục {tmp_path} không cho phép ghi"


def test_full_disk_and_other_files_are_named(tmp_path: Path) -> None:
    """ENOSPC on the database, and an OSError on any other file, name the path in Vietnamese."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    full = sqlite_error("database or disk is full")
    assert io_fault_message(full, url) == f"{PREFIX} {tmp_path / 'db.sqlite3'}: ổ đĩa đã đầy"
    report = tmp_path / "out" / "report.docx"
    disk = OSError(errno.ENOSPC, "No space left on device", str(report))
    assert io_fault_message(disk, url) == f"lỗi với tệp hoặc thư mục {report}: ổ đĩa đã đầy"
    assert io_fault_message(ValueError("x"), url) is None
    assert io_fault_message(sqlite_error("no such table: x"), url) is None
