"""Untrusted files are bounded before any parser sees them (issue 12, rows 2, 3 and 7): a Word file
with a huge text node or a zip bomb is refused with a Vietnamese reason, a text file past
max_document_mb is refused before it is read, and the other files of the same `dondoc extract` are
still extracted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scheduler
from crawler.documents import document_from_bytes
from crawler.errors import UnusableInputError
from tools.hostile_files import docx_with_text_node, docx_zip_bomb, text_file

GOOD = "1. Bộ Y tế chủ trì xây dựng đề án, hoàn thành trong năm 2026.\n"


def extract(tmp_path: Path, name: str, content: bytes,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `dondoc extract BAD GOOD`; (exit code, stdout, stderr)."""
    bad, good = tmp_path / name, tmp_path / "good.txt"
    bad.write_bytes(content)
    good.write_text(GOOD, encoding="utf-8")
    code = scheduler.main(["extract", str(bad), str(good)])
    out, err = capsys.readouterr()
    return code, out, err


def test_docx_with_a_huge_text_node_is_refused_and_the_other_file_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small .docx hiding a 30 MB text node is refused as a zip bomb; good.txt is still extracted."""
    code, out, err = extract(tmp_path, "nut-chu.docx", docx_with_text_node(30), capsys)
    assert code == 2
    assert [json.loads(line)["seed"] for line in out.splitlines()] == ["good.txt"]
    assert "nut-chu.docx" in err and "bom zip" in err and "Traceback" not in err


def test_docx_zip_bomb_is_refused_before_parsing() -> None:
    """A .docx whose XML expands to 100 MB is refused with the expanded size and the limit."""
    with pytest.raises(UnusableInputError, match=r"bung ra 100 MB, vượt giới hạn 64 MB"):
        document_from_bytes(docx_zip_bomb(100), "bom.docx")


def test_text_file_past_max_document_mb_is_refused_and_the_other_file_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 60 MB text file is refused by size (max_document_mb) without being read."""
    code, out, err = extract(tmp_path, "lon.txt", text_file(60), capsys)
    assert code == 2
    assert [json.loads(line)["seed"] for line in out.splitlines()] == ["good.txt"]
    assert "lon.txt" in err and "vượt giới hạn 20 MB (max_document_mb)" in err
