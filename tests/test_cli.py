"""The dondoc command line: Vietnamese help, one-line errors without tracebacks, demo end to end."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import scheduler
from service.locks import acquire_lock

SERVICE_HELPERS = Path(__file__).resolve().parent / "service"
sys.path.insert(0, str(SERVICE_HELPERS))

from service_helpers import dondoc_env, free_port, run_dondoc, source_tables  # noqa: E402


def one_line(text: str) -> bool:
    """True when `text` is exactly one non-empty line."""
    return len([line for line in text.splitlines() if line.strip()]) == 1


def test_help_lists_every_command_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    """`dondoc --help` names every command, with Vietnamese section titles."""
    with pytest.raises(SystemExit) as exited:
        scheduler.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: dondoc")
    for command in ("demo", "extract", "crawl", "digest", "run", "status", "db"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command
    assert "tùy chọn:" in out


def test_bad_argument_is_one_vietnamese_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong --as-of gives usage plus one error line, exit 2."""
    with pytest.raises(SystemExit) as exited:
        scheduler.main(["digest", "--as-of", "01/10/2025"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Lỗi: tham số không hợp lệ" in err and "cần dạng YYYY-MM-DD" in err


@pytest.mark.parametrize(
    ("toml", "command", "key"),
    [
        ('[general]\ndatabse = "x.sqlite3"\n', "status", "general.databse"),  # unknown key
        ('[schedules]\ndaily_digest = "hằng ngày"\n', "run", "schedules.daily_digest"),  # bad cron
    ],
)
def test_bad_config_exits_2_naming_key_and_file(tmp_path: Path, toml: str, command: str, key: str) -> None:
    """An unknown key or an unparsable cron: exit 2 before anything runs, one line naming the key and
    the file, no traceback."""
    config = tmp_path / "dondoc.toml"
    config.write_text(toml, encoding="utf-8")
    result = run_dondoc(config, command, timeout=120)
    assert result.returncode == 2
    assert one_line(result.stderr) and "Traceback" not in result.stderr
    assert key in result.stderr and str(config) in result.stderr


def test_unreachable_site_is_a_logged_per_source_failure(tmp_path: Path) -> None:
    """A source on a closed port: its failure is one line naming it; exit 1; no traceback."""
    closed = free_port()
    config = tmp_path / "dondoc.toml"
    tables = source_tables(f"http://127.0.0.1:{closed}", ["demo-baochinhphu"], {"name": "khong-toi"})
    config.write_text('[general]\ndatabase = "db.sqlite3"\n\n' + "\n".join(tables) + "\n", encoding="utf-8")
    result = run_dondoc(config, "crawl", timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    failures = [line for line in result.stderr.splitlines() if line.startswith("Nguồn khong-toi: LỖI:")]
    assert len(failures) == 1 and "không kết nối được" in failures[0]


def test_unexpected_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug surfacing as an unexpected exception still gives one line and exit 1."""

    def broken(_args: argparse.Namespace) -> int:
        """Fail the way a bug would."""
        raise KeyError("thiếu")

    monkeypatch.setattr(scheduler, "cmd_status", broken)
    assert scheduler.main(["status"]) == 1
    err = capsys.readouterr().err
    assert one_line(err) and "Traceback" not in err and "KeyError" in err


def test_second_run_exits_with_a_clear_message(tmp_path: Path) -> None:
    """While the instance lock is held, `dondoc run` exits 2 with one line saying another one runs."""
    config = tmp_path / "dondoc.toml"
    config.write_text('[general]\ndatabase = "db.sqlite3"\n[service]\nhealth_port = 0\n', encoding="utf-8")
    lock = acquire_lock(f"sqlite:///{tmp_path / 'db.sqlite3'}", "run", wait=False)
    try:
        result = run_dondoc(config, "run", timeout=120)
        status = run_dondoc(config, "status", timeout=120)
    finally:
        lock.release()
    assert result.returncode == 2 and one_line(result.stderr)
    assert "“dondoc run” khác đang chạy" in result.stderr and "--wait" in result.stderr
    assert status.returncode == 0 and "Dịch vụ: đang chạy" in status.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`dondoc demo --db PATH` run once as a real subprocess: its output and the kept database."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.sqlite3"
    temp = folder / "tmp"
    temp.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "demo", "--db", str(db)],
        capture_output=True, text=True, timeout=600, check=False, env=dondoc_env(TMPDIR=str(temp)),
        cwd=folder,
    )
    assert not list(temp.iterdir()), "the demo left its temporary folder behind"
    return result, db


@pytest.mark.slow
def test_demo_end_to_end(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """`dondoc demo --db PATH` crawls the local site and prints BKHCN's Khung Kiến trúc task with its
    deadline, assigning document and a link to the directive's page on the local site."""
    result, db = demo
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    base = re.search(r"Trang mẫu cục bộ đang chạy tại (http://127\.0\.0\.1:\d+)", result.stdout)
    assert base is not None
    section = result.stdout.split("NHẮC VIỆC – Bộ Khoa học và Công nghệ\n", 1)[1].split("=" * 78, 1)[0]
    item = next(block for block in section.split("\n\n") if "Khung Kiến trúc tổng thể quốc gia số" in block)
    assert "05/10/2025" in item and "46-TB/TGV" in item
    assert f"{base.group(1)}/?pageid=27160&docid=212345" in item
    assert f"Cơ sở dữ liệu: {db}" in result.stdout and db.exists()


@pytest.mark.slow
def test_demo_prints_one_digest_per_concrete_unit(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """Every digest the demo prints is headed by one concrete unit, once: no group ("Các …") and no
    name the gazetteer cannot place ("Ủy ban nhân dân tỉnh" alone); a group's tasks are in its
    members' digests, marked shared, and the names to place are listed for the operator instead."""
    from crawler.membership import Placement, placement
    from crawler.storage.engine import make_engine, session_factory
    from crawler.storage.units import unit_resolver

    result, db = demo
    headers = re.findall(r"^NHẮC VIỆC – (.+)$", result.stdout, re.MULTILINE)
    assert len(headers) >= 10 and len(headers) == len(set(headers))
    bare = ("Ủy ban nhân dân tỉnh", "Ủy ban nhân dân")
    assert [h for h in headers if h.startswith("Các ") or h in bare] == []
    with session_factory(make_engine(f"sqlite:///{db}"))() as session:
        resolver = unit_resolver(session)
        assert {h: placement(h, resolver) for h in headers} == dict.fromkeys(headers, Placement.UNIT)
    finance = result.stdout.split("NHẮC VIỆC – Bộ Tài chính\n", 1)[1].split("=" * 78, 1)[0]
    shared = [block for block in finance.split("\n\n") if "Chủ trì: Các bộ, cơ quan ngang bộ" in block]
    assert shared and all("[Giao chung]" in block for block in shared)
    operator = result.stdout.split("Cần xác định đơn vị", 1)[1]
    assert "  - Các trường: " in operator and "NHẮC VIỆC" not in operator


@pytest.mark.slow
def test_demo_removes_its_temporary_folder_keeping_what_out_names(tmp_path: Path) -> None:
    """`dondoc demo --out DIR` keeps the digests in DIR; its temporary folder, database included, is
    gone at the end and the output says so."""
    temp, out = tmp_path / "tmp", tmp_path / "ban-tin"
    temp.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "demo", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False, env=dondoc_env(TMPDIR=str(temp)),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not list(temp.iterdir()) and "Đã xóa thư mục tạm" in result.stdout
    assert f"Bản tin của từng đơn vị: {out}" in result.stdout and "Cơ sở dữ liệu:" not in result.stdout
    assert any(path.suffix == ".txt" for path in out.iterdir())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ban-tin", "tmp"]


@pytest.mark.slow
def test_commands_on_the_demo_database(
    demo: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    """digest, report, bulletin draft/render and invite work on the database the demo kept."""
    _result, db = demo
    config = tmp_path / "dondoc.toml"
    config.write_text(f'[general]\ndatabase = "{db}"\noutput_dir = "{tmp_path / "out"}"\n', encoding="utf-8")
    digest = run_dondoc(config, "digest", "--as-of", "2025-10-01", "--unit", "Bộ Khoa học và Công nghệ")
    assert digest.returncode == 0 and "Khung Kiến trúc tổng thể quốc gia số" in digest.stdout
    report = run_dondoc(config, "report", "overdue", "--as-of", "2025-10-20", "--format", "html",
                        "--report-number", "12/BC-UBND", "--report-date", "2025-10-21")
    assert report.returncode == 0, report.stderr
    html = (tmp_path / "out" / "reports" / "nhiem-vu-qua-han-2025-10-20.html").read_text(encoding="utf-8")
    assert "Bộ Khoa học và Công nghệ" in html
    assert "(Kèm theo Báo cáo số 12/BC-UBND ngày 21 tháng 10 năm 2025)" in html
    summary = html.split("</table>")[0]  # no pseudo-unit lines in the summary
    assert "Chưa rõ đơn vị" not in summary and ">Thủ tướng Chính phủ</td>" not in summary
    lines = summary.replace(">Các bộ, ngành, cơ quan Trung ương:", "").replace(">Các địa phương:", "")
    assert ">Các " not in lines
    draft = run_dondoc(config, "bulletin", "draft", "--week", "2025-W14")
    assert draft.returncode == 0, draft.stderr
    draft_file = tmp_path / "out" / "bulletin" / "ban-tin-2025-W14.toml"
    render = run_dondoc(config, "bulletin", "render", str(draft_file), "--format", "html")
    assert render.returncode == 0, render.stderr
    assert draft_file.with_suffix(".html").exists()
    invite = run_dondoc(config, "invite", "--unit", "Bộ Y tế")
    assert invite.returncode == 0 and re.search(r"/start [A-Z0-9]{6,}", invite.stdout)
    missing = run_dondoc(config, "bulletin", "render", str(tmp_path / "khong-co.toml"))
    assert missing.returncode == 2 and one_line(missing.stderr) and "Traceback" not in missing.stderr


@pytest.mark.slow
def test_digest_and_report_agree_on_every_unit_of_the_demo_database(
    demo: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    """As of 20/10/2025, for every unit of the demo database, the digest's overdue tasks (and those due
    that very day, which the report counts as overdue "đến hết ngày") are the tasks of `dondoc report
    overdue --unit`, and its tasks due within 7 days those of `dondoc report due --unit`."""
    from sqlalchemy import select

    from crawler.errors import ReportInputError
    from crawler.storage.engine import make_engine, session_factory
    from crawler.storage.schema import Unit
    from notifier.planning import digest_for, load_inputs
    from notifier.reports import TaskReport, due_report, overdue_report
    from service.previews import units_with_tasks

    def ids(report: TaskReport) -> set[int]:
        """The tasks a report lists as still to do (the due report lists the done ones too)."""
        rows = (*report.alone, *report.shared, *report.unplaced)
        return {row.task_id for row in rows if row.progress != "Đã hoàn thành"}

    _result, db = demo
    as_of, week = dt.date(2025, 10, 20), dt.date(2025, 10, 27)
    with session_factory(make_engine(f"sqlite:///{db}"))() as session:
        inputs = load_inputs(session, as_of, as_of)
        units = sorted({*units_with_tasks(session), *session.scalars(select(Unit.name))})
        checked = 0
        for unit in units:
            digest = digest_for(inputs, unit, [unit], as_of, "manual:2025-10-20")
            overdue = {i.task_id for i in digest.overdue} if digest else set()
            soon = {i.task_id: i.due for i in digest.due_soon} if digest else {}
            try:
                reported = ids(overdue_report(session, as_of, unit=unit))
                upcoming = ids(due_report(session, as_of, week, unit=unit))
            except ReportInputError:  # no dated task concerns the unit
                reported = upcoming = set()
            assert reported == overdue | {t for t, due in soon.items() if due == as_of}, unit
            assert upcoming == set(soon), unit
            checked += bool(overdue or soon)
        assert checked >= 5
    config = tmp_path / "dondoc.toml"
    config.write_text(f'[general]\ndatabase = "{db}"\noutput_dir = "{tmp_path / "out"}"\n', encoding="utf-8")
    digest = run_dondoc(config, "digest", "--as-of", "2025-10-20", "--unit", "Bộ Tư pháp")
    report = run_dondoc(config, "report", "overdue", "--as-of", "2025-10-20", "--unit", "Bộ Tư pháp",
                        "--format", "html")
    assert digest.returncode == 0 and report.returncode == 0, report.stderr
    html = (tmp_path / "out" / "reports" / "nhiem-vu-qua-han-2025-10-20.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    total = re.search(r"Tổng cộng \(số nhiệm vụ\) (\d+) (\d+) (\d+)", text)
    late = re.search(r"(\d+) quá hạn", digest.stdout)
    assert total is not None and late is not None and int(late.group(1)) > 0
    assert int(total.group(3)) == int(late.group(1)) + digest.stdout.count("đến hạn hôm nay")


def test_config_is_accepted_after_the_subcommand() -> None:
    """`dondoc status --config f` sets the same option as `dondoc --config f status`."""
    parser = scheduler.build_parser()
    assert parser.parse_args(["status", "--config", "f.toml"]).config == "f.toml"
    assert parser.parse_args(["--config", "f.toml", "status"]).config == "f.toml"
    assert parser.parse_args(["status"]).config is None


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`dondoc --version` prints the package version and exits 0."""
    with pytest.raises(SystemExit) as exited:
        scheduler.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"dondoc {scheduler.dondoc_version()}"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["invite"], "thiếu tham số bắt buộc: --unit"),
        (["frobnicate"], "lựa chọn không hợp lệ: 'frobnicate'"),
        (["status", "--bogus"], "tham số không nhận ra: --bogus"),
        (["digest", "--unit"], "tham số --unit: cần một giá trị"),
    ],
)
def test_argparse_errors_are_in_vietnamese(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    """argparse's own messages come out in Vietnamese, usage heading included, exit 2."""
    with pytest.raises(SystemExit) as exited:
        scheduler.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Cách dùng: dondoc") and expected in err


def test_digest_rejects_an_unknown_channel(capsys: pytest.CaptureFixture[str]) -> None:
    """`digest --channel bogus` exits 2 listing the valid channel names."""
    with pytest.raises(SystemExit) as exited:
        scheduler.main(["digest", "--channel", "bogus"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "lựa chọn không hợp lệ: 'bogus'" in err
    assert all(name in err for name in scheduler.DIGEST_CHANNELS)


def test_bulletin_draft_refuses_week_with_a_date_range(capsys: pytest.CaptureFixture[str]) -> None:
    """`bulletin draft --week` together with --from/--to is refused with exit 2."""
    code = scheduler.main(["bulletin", "draft", "--week", "2025-W14", "--from", "2025-04-01"])
    assert code == 2
    assert "--week không dùng cùng --from/--to" in capsys.readouterr().err


def test_example_config_contacts_are_placeholders() -> None:
    """Every address in dondoc.example.toml is on the reserved example.invalid domain."""
    text = (Path(__file__).resolve().parent.parent / "dondoc.example.toml").read_text(encoding="utf-8")
    addresses = re.findall(r"[\w.+-]+@([\w.-]+)", text.replace("dondoc@localhost/", ""))
    assert addresses and set(addresses) == {"example.invalid"}


def test_license_is_an_spdx_string() -> None:
    """pyproject declares the license as an SPDX expression (setuptools warns on the table form)."""
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["license"] == "MIT"


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A config file keeping the database and the output folder inside `tmp_path`."""
    config = tmp_path / "dondoc.toml"
    config.write_text(f'[general]\ndatabase = "db.sqlite3"\noutput_dir = "out"\n{extra}', encoding="utf-8")
    return config


def test_digest_refuses_an_unknown_unit_suggesting_close_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`digest --unit` with a name no task, config or gazetteer knows exits 2 naming the closest units;
    a known unit without tasks still prints that it has none, exit 0."""
    config = write_config(tmp_path, '\n[[units]]\nname = "Sở Nội vụ Hà Nội"\n')
    code = scheduler.main(["digest", "--config", str(config), "--unit", "Bộ Tư Phap"])
    err = capsys.readouterr().err
    assert code == 2 and one_line(err)
    assert "Lỗi: không có đơn vị “Bộ Tư Phap” trong danh mục đơn vị" in err and "“Bộ Tư pháp”" in err
    code = scheduler.main(["digest", "--config", str(config), "--unit", "Sở Nội vụ Hà Nội"])
    assert code == 0 and "Đơn vị “Sở Nội vụ Hà Nội” không có nhiệm vụ" in capsys.readouterr().out
    assert scheduler.main(["digest", "--config", str(config), "--unit", "Bộ Tư pháp"]) == 0


def test_extract_reports_unreadable_files_and_reads_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`extract` on a missing file, a folder or an unsupported format exits 2 with one Vietnamese line
    per file; the readable file given on the same command line is still extracted."""
    good = tmp_path / "good.txt"
    good.write_text("1. Bộ Y tế chủ trì xây dựng đề án, hoàn thành trong năm 2026.\n", encoding="utf-8")
    sheet = tmp_path / "trinh-chieu.pptx"
    sheet.write_bytes(b"PK\x03\x04 not a document")
    missing = tmp_path / "khong-co.pdf"
    code = scheduler.main(["extract", str(missing), str(sheet), str(good), str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert [json.loads(line)["seed"] for line in out.splitlines()] == ["good.txt"]
    assert err.splitlines() == [
        f"Lỗi: không đọc được tệp {missing}: không có tệp này",
        f"Lỗi: không đọc được tệp {sheet}: định dạng “.pptx” không được hỗ trợ "
        "(chỉ đọc .txt, .html, .htm, .pdf, .docx, .xlsx, .doc, .png, .jpg, .jpeg, .tif, .tiff)",
        f"Lỗi: không đọc được tệp {tmp_path}: đây là một thư mục, không phải tệp",
    ]


def test_invite_refuses_an_unknown_recipient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`invite --recipient` with a name neither the config nor the database knows exits 2 naming the
    closest recipient; the configured name gets its code."""
    config = write_config(tmp_path, '\n[[recipients]]\nname = "Văn phòng Bộ Y tế"\nunits = ["Bộ Y tế"]\n')
    argv = ["invite", "--config", str(config), "--unit", "Bộ Y tế", "--recipient"]
    assert scheduler.main([*argv, "Van phong Bo Y te"]) == 2
    err = capsys.readouterr().err
    assert one_line(err) and err.startswith("Lỗi: không có người nhận “Van phong Bo Y te”")
    assert "Có phải: “Văn phòng Bộ Y tế”?" in err
    assert scheduler.main([*argv, "Văn phòng Bộ Y tế"]) == 0
    assert re.search(r"/start [A-Z0-9]{6,}", capsys.readouterr().out)


def test_bulletin_send_without_email_configured_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bulletin send` with no [channels.email] exits 2 saying email is not configured, before it
    queues anything (the database is not even created)."""
    config = write_config(tmp_path)
    code = scheduler.main(["bulletin", "send", "--config", str(config), str(tmp_path / "ban-tin.toml")])
    err = capsys.readouterr().err
    assert code == 2 and one_line(err)
    assert f"Lỗi: {config}: chưa cấu hình gửi email: thêm bảng [channels.email]" in err
    assert not (tmp_path / "db.sqlite3").exists()


def test_status_without_a_config_creates_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dondoc status` in a folder with no config and no database reports that nothing has run yet,
    exit 0, and leaves the folder empty (no database, no lock file, no output folder)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DONDOC_CONFIG", raising=False)
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    assert scheduler.main(["status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dịch vụ: không chạy\n")
    assert f"Cơ sở dữ liệu chưa có: {tmp_path.resolve() / 'dondoc.sqlite3'}" in out
    assert list(tmp_path.iterdir()) == []


def test_readme_says_where_shared_comes_from_and_what_runs_without_it() -> None:
    """README names the ../shared folder's origin and what still runs (and what is skipped) without it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    paragraph = next(block for block in readme.split("\n- ") if block.startswith("`../shared` is"))
    for words in ("beside this repository", "Without it", "`dondoc demo`", "skipped", "`CI`"):
        assert words in paragraph


def test_bulletin_send_to_a_refusing_mail_server_exits_1_and_keeps_the_mail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bulletin send` when the SMTP server refuses the connection: exit 1 with a Vietnamese line saying
    the mail was not sent and stays in the outbox (not rc 0 with "đã gửi 0, lỗi 0")."""
    from service.context import open_session
    from tests.bulletin.rows import ARTICLES, add_rows

    email = (f'\n[channels.email]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
             'sender = "dondoc@example.invalid"\n[bulletin]\nmailing_list = ["cchc@example.invalid"]\n')
    config = write_config(tmp_path, email)
    with open_session(f"sqlite:///{tmp_path / 'db.sqlite3'}") as session:
        add_rows(session, ARTICLES)
    draft = tmp_path / "ban-tin.toml"
    assert scheduler.main(["bulletin", "draft", "--config", str(config), "--week", "2025-W14",
                           "--out", str(draft)]) == 0
    capsys.readouterr()
    assert scheduler.main(["bulletin", "send", "--config", str(config), str(draft)]) == 1
    out, err = capsys.readouterr()
    assert "đã gửi 0, thử lại sau 1" in out
    assert "Lỗi: chưa gửi được 1 thư (máy chủ thư chưa nhận); thư vẫn nằm trong hộp thư đi" in err
