"""Hostile-input probes of issue 12 (rows 2-8): peak memory and time of each, one fresh process each.

    python bench/hostile.py [--probe NAME]

Prints one line per probe (what happened, seconds, peak resident MB), then one final line of JSON.
Every probe should stay under 500 MB resident and 60 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.documents import document_from_bytes, document_from_file, document_from_html
from crawler.errors import UnusableInputError
from tools import hostile_files

LIMIT_MB = 500
LIMIT_S = 60


def _docx_node() -> str:
    """Row 2: a .docx with a 1 GB text node."""
    return _outcome(lambda: document_from_bytes(hostile_files.docx_with_text_node(1024), "nut-chu.docx"))


def _docx_bomb() -> str:
    """Row 3: a .docx zip bomb (100 MB of XML)."""
    return _outcome(lambda: document_from_bytes(hostile_files.docx_zip_bomb(100), "bom.docx"))


def _attachment() -> str:
    """Row 4: the zip bomb as a crawled attachment, read as the crawl's pool reads it."""
    return _outcome(lambda: document_from_bytes(hostile_files.docx_zip_bomb(100), "bom.docx",
                                                "http://127.0.0.1/files/bom.docx"))


def _xlsx_bomb() -> str:
    """Row 3 for workbooks: a .xlsx zip bomb (100 MB of sheet XML)."""
    return _outcome(lambda: document_from_bytes(hostile_files.xlsx_zip_bomb(100), "bom.xlsx"))


def _windows_1258() -> str:
    """Row 5: Windows-1258 bytes declared UTF-8."""
    doc = document_from_html(hostile_files.windows_1258_page(), "cp1258.htm")
    return f"{doc.text.count(chr(0xFFFD))} ký tự U+FFFD; {len(doc.text)} ký tự"


def _nested() -> str:
    """Row 6: HTML nested 300 deep."""
    doc = document_from_html(hostile_files.nested_html(300), "sau.htm")
    return f"{len(doc.text.strip())} ký tự chữ"


def _text_file() -> str:
    """Row 7: a 60 MB text file through `dondoc extract`'s reader."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "lon.txt")
        path.write_bytes(hostile_files.text_file(60))
        return _outcome(lambda: document_from_file(path))


def _ssrf() -> str:
    """Row 8: 100.64.0.0/10 (carrier-grade NAT, a cloud metadata address)."""
    from crawler.spiders.safety import _private

    return "chặn" if _private("100.100.100.200") else "CHO PHÉP"


PROBES: dict[str, Callable[[], str]] = {
    "docx-1gb-text-node": _docx_node, "docx-zip-bomb": _docx_bomb, "xlsx-zip-bomb": _xlsx_bomb,
    "crawled-attachment": _attachment,
    "windows-1258": _windows_1258, "html-nested-300": _nested, "text-60mb": _text_file,
    "ssrf-100.64": _ssrf,
}


def _outcome(read: Callable[[], object]) -> str:
    """'đọc được' or the refusal's reason."""
    try:
        read()
    except UnusableInputError as exc:
        return f"từ chối: {exc}"
    return "đọc được"


def run_probe(name: str) -> dict[str, object]:
    """Run one probe in this process; its result, seconds and peak resident MB."""
    started = time.perf_counter()
    result = PROBES[name]()
    seconds = round(time.perf_counter() - started, 2)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {"probe": name, "result": result, "seconds": seconds, "peak_mb": peak_mb}


def main() -> int:
    """Run every probe in a fresh interpreter (so peaks do not add up) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--probe", choices=sorted(PROBES))
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(run_probe(args.probe), ensure_ascii=False))
        return 0
    figures = []
    for name in PROBES:
        done = subprocess.run([sys.executable, __file__, "--probe", name], capture_output=True, text=True,
                              check=True)
        figure = json.loads(done.stdout.splitlines()[-1])
        figure["within_limits"] = figure["peak_mb"] <= LIMIT_MB and figure["seconds"] <= LIMIT_S
        figures.append(figure)
        print(f"{name:20} {figure['seconds']:7.2f} s {figure['peak_mb']:8.1f} MB  {figure['result']}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if all(f["within_limits"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
