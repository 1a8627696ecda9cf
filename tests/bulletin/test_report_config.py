"""The "(Kèm theo Báo cáo số …, ngày …)" line of a report from the config's [report] table, the
command line's --report-* options winning; a wrong table is a clear config error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.errors import ConfigError
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from scheduler import main

from .task_rows import ALL_TASKS, add_tasks

REPORT = '[report]\nnumber = "164/BC-BKHCN"\ndate = "2025-08-05"\nissuer = "Bộ Khoa học và Công nghệ"\n'


def config_with_tasks(tmp_path: Path, report: str) -> Path:
    """A config naming a migrated database that holds the seed tasks, plus the given [report] table."""
    database = tmp_path / "dondoc.sqlite3"
    upgrade_database(f"sqlite:///{database}")
    engine = make_engine(f"sqlite:///{database}")
    with session_factory(engine)() as session:
        add_tasks(session, ALL_TASKS)
    engine.dispose()
    config = tmp_path / "dondoc.toml"
    config.write_text(f'[general]\ndatabase = "{database}"\n\n{report}', encoding="utf-8")
    return config


def report_html(config: Path, out: Path, *extra: str) -> str:
    """Run `dondoc report overdue` as of 31/7/2025 to HTML and return the page."""
    assert main(["report", "overdue", "--as-of", "2025-07-31", "--format", "html", "--out", str(out),
                 "--config", str(config), *extra]) == 0
    return (out / "nhiem-vu-qua-han-2025-07-31.html").read_text(encoding="utf-8")


def test_attachment_line_comes_from_config_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    config = config_with_tasks(tmp_path, REPORT)
    html = report_html(config, tmp_path / "a")
    assert "(Kèm theo Báo cáo số 164/BC-BKHCN ngày 05 tháng 8 năm 2025 của Bộ Khoa học và Công nghệ)" in html
    html = report_html(config, tmp_path / "b", "--report-number", "12/BC-UBND", "--report-date", "2025-10-21")
    assert "(Kèm theo Báo cáo số 12/BC-UBND ngày 21 tháng 10 năm 2025 của Bộ Khoa học và Công nghệ)" in html


def test_no_report_table_means_no_attachment_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    html = report_html(config_with_tasks(tmp_path, ""), tmp_path / "c")
    assert "Kèm theo" not in html


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('[report]\nnumber = "1/BC"\ndate = "05/08/2025"\n', "'report.date' phải là ngày dạng YYYY-MM-DD"),
        ('[report]\ndate = "2025-08-05"\n', "cần đi cùng 'report.number'"),
        ('[report]\nso = "1/BC"\n', "khóa không hợp lệ 'report.so'"),
    ],
)
def test_wrong_report_table_is_a_clear_config_error(tmp_path: Path, table: str, problem: str) -> None:
    path = tmp_path / "dondoc.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_config(path)
