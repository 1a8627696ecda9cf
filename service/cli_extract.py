"""`dondoc extract FILE...`: the tasks of local files as JSONL (scans read by OCR); a file it cannot read
is reported in one Vietnamese line (exit 2) and the other files are still extracted."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from crawler.errors import UnusableInputError
from service.cli import load_cli_config

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".doc",
                      ".png", ".jpg", ".jpeg", ".tif", ".tiff")
OS_REASONS = {
    errno.ENOENT: "không có tệp này",
    errno.EACCES: "không có quyền đọc tệp",
    errno.EPERM: "không có quyền đọc tệp",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
}


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one task record (FORMAT.md) per line for each input file; bad files are reported, exit 2."""
    from crawler.documents import document_from_file
    from crawler.documents.ocr import ocr_limits, with_ocr
    from crawler.extract import extract_tasks
    from crawler.extract.records import task_record
    from crawler.extract.units import load_gazetteer

    config = load_cli_config(args)
    gazetteer = load_gazetteer(tuple((u.name, u.aliases) for u in config.units))
    failures = 0
    for name in args.files:
        path = Path(name)
        try:
            check_readable(path)
            document = document_from_file(path)
            if document.needs_ocr:  # a scan: the same reader then OCR, as after a crawl
                document = with_ocr(document, path.read_bytes(), ocr_limits(config.general))
        except Exception as exc:  # per-file boundary: one bad file never stops the others
            print(f"Lỗi: {unreadable_reason(path, exc)}", file=sys.stderr)
            failures += 1
            continue
        for task in extract_tasks(document, gazetteer):
            print(json.dumps(task_record(task, path.name), ensure_ascii=False))
    return 2 if failures else 0


def check_readable(path: Path) -> None:
    """Refuse a missing file, a folder, an unreadable file or a format `extract` does not read."""
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"“{suffix}”" if suffix else "không có phần mở rộng"
        raise UnusableInputError(f"không đọc được tệp {path}: định dạng {shown} không được hỗ trợ "
                                 f"(chỉ đọc {', '.join(SUPPORTED_SUFFIXES)})")


def unreadable_reason(path: Path, exc: BaseException) -> str:
    """A one-line Vietnamese reason why a file could not be read, naming the file once."""
    if not isinstance(exc, (UnusableInputError, OSError)):
        return f"không đọc được tệp {path}: lỗi không mong đợi ({type(exc).__name__})"
    cause = exc if isinstance(exc, OSError) else exc.__cause__
    if isinstance(cause, OSError):
        reason = OS_REASONS.get(cause.errno or 0) or cause.strerror or type(cause).__name__
        return f"không đọc được tệp {path}: {reason}"
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if message.startswith("không đọc được tệp"):
        return message
    for named in (f"{path}: ", f"Tệp {path} ", f"Tệp {path.name} "):
        message = message.removeprefix(named)
    return f"không đọc được tệp {path}: {message}"
