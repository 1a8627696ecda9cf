"""Bad input: empty, binary junk, undecodable bytes, NFD text, 1 MB lines, a 20 MB text."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from crawler.errors import UnusableInputError
from crawler.extract import extract_tasks
from crawler.extract.plaintext import document_from_text_file
from crawler.models import DocumentText
from scheduler import main

ADVERSARIAL = [
    "Bộ Công an " * 90_000,
    "1/" * 500_000,
    "ngày 1 tháng " * 80_000,
    "Thông báo số 03-TB/BCĐTW ngày 06/3/2025 " * 25_000,
    "các bộ, " * 130_000,
    "a" * 1_000_000,
    "-" * 1_000_000,
    "(1) " * 250_000,
    "Tháng " * 170_000,
]


# A hang guard, not a speed check (speed is measured by bench/extract.py): linear work on 1 MB takes
# seconds even on a loaded machine, while catastrophic regex backtracking would never finish.
HANG_GUARD_S = 600

_CHILD = """
import sys
from tests.extract.test_robustness import ADVERSARIAL
from crawler.extract import extract_tasks
from crawler.models import DocumentText
extract_tasks(DocumentText(name="x", text="1. " + ADVERSARIAL[int(sys.argv[1])] + "\\n"))
print("done")
"""


@pytest.mark.parametrize("index", range(len(ADVERSARIAL)), ids=lambda i: repr(ADVERSARIAL[i][:12]))
def test_long_adversarial_lines_do_not_hang(index: int) -> None:
    """A 1 MB line of repeated tokens is processed to the end, in a child process that cannot hang us."""
    repo = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(index)],
            cwd=repo, capture_output=True, text=True, timeout=HANG_GUARD_S, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"extraction of a 1 MB line did not finish in {HANG_GUARD_S} s (backtracking?)")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"


def test_twenty_megabytes(tmp_path: Path) -> None:
    """A 20 MB text is read and processed without error."""
    block = (
        "1. Sở Tài chính chủ trì rà soát thủ tục hành chính, hoàn thành trước ngày 30/6/2026.\n\n"
        "Ngày 12/3/2026, Sở đã tổ chức hội nghị triển khai với 120 đại biểu tham dự.\n\n"
    )
    path = tmp_path / "big.txt"
    path.write_text(block * (20_000_000 // len(block.encode()) + 1), encoding="utf-8")
    tasks = extract_tasks(document_from_text_file(path))
    assert len(tasks) > 50_000
    assert {task.deadline.due for task in tasks} == {tasks[0].deadline.due}


def test_nfd_text_reads_like_nfc() -> None:
    """Mixed NFD text gives the same tasks as NFC text."""
    text = "1. Bộ Tư pháp chủ trì rà soát văn bản, hoàn thành trong tháng 9/2026.\n"
    nfc = extract_tasks(DocumentText(name="x", text=text))
    nfd = extract_tasks(DocumentText(name="x", text=unicodedata.normalize("NFD", text)))
    assert [(t.lead, t.deadline) for t in nfc] == [(t.lead, t.deadline) for t in nfd] != []


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"", "trống"),
        (b"  \n\n ", "trống"),
        (b"\xff\xfe\x00\x01binary\x00\x00", "UTF-8"),
        (bytes(range(1, 32)) * 100, "nhị phân"),
        ("Thông báo".encode("cp1258") + b"\x8f\xff", "UTF-8"),
    ],
)
def test_unusable_files_raise_clear_errors(tmp_path: Path, data: bytes, word: str) -> None:
    """Empty, binary and undecodable files raise UnusableInputError with a Vietnamese message."""
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnusableInputError, match=word):
        document_from_text_file(path)


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is an unusable input, not a traceback."""
    with pytest.raises(UnusableInputError):
        document_from_text_file(tmp_path / "none.txt")


def test_header_keeps_line_numbers(tmp_path: Path) -> None:
    """A key: value header closed by --- is read; line numbers count from the file's first line."""
    path = tmp_path / "doc.txt"
    path.write_text(
        "source: https://example.gov.vn/a\nkind: congdien\npublished: 2026-03-02\n---\n"
        "1. Bộ Y tế khẩn trương rà soát danh mục thuốc, hoàn thành trước ngày 15/4.\n",
        encoding="utf-8",
    )
    doc = document_from_text_file(path)
    assert doc.url == "https://example.gov.vn/a" and doc.published is not None
    (task,) = extract_tasks(doc)
    assert task.line == 5 and task.deadline.due is not None and task.deadline.due.year == 2026


def test_metadata_inferred_from_text(tmp_path: Path) -> None:
    """Number, issuer and issue date are read from the letterhead."""
    path = tmp_path / "cv.txt"
    path.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n\nSố: 10447/UBND-VX\n\nNghệ An, ngày 03 tháng 10 năm 2025\n",
        encoding="utf-8",
    )
    doc = document_from_text_file(path)
    assert doc.number == "10447/UBND-VX" and doc.issued is not None and doc.issued.month == 10
    assert doc.issuer is not None and "Nghệ An" in doc.issuer


def test_cli_prints_records_and_skips_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI prints one JSON record per task and reports unusable files on stderr."""
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(
        "1. Bộ Công an chủ trì triển khai nền tảng định danh, hoàn thành trong quý II/2026.\n",
        encoding="utf-8",
    )
    bad.write_bytes(b"")
    assert main(["extract", str(good), str(bad)]) == 2  # the bad file is reported, the good one read
    out, err = capsys.readouterr()
    record = json.loads(out.strip())
    assert record["seed"] == "good.txt" and record["deadline"]["precision"] == "quarter"
    assert record["lead"] == ["Bộ Công an"] and "Traceback" not in err
    assert err.strip() == f"Lỗi: không đọc được tệp {bad}: tệp rỗng"


def test_extract_command_runs() -> None:
    """`dondoc extract` with only a missing file exits 2 with one Vietnamese line, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "scheduler", "extract", "/nonexistent.txt"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "Lỗi: không đọc được tệp /nonexistent.txt: không có tệp này"
