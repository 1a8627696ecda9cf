"""`python -m crawler.extract.cli FILE...`: print one JSON task record per line for each file."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from crawler.errors import UnusableInputError
from crawler.extract import extract_tasks, load_gazetteer
from crawler.extract.plaintext import document_from_text_file
from crawler.extract.records import task_record


def main(argv: Sequence[str] | None = None) -> int:
    """Extract tasks from each file; unusable files are reported on stderr and skipped."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("Cách dùng: python -m crawler.extract.cli TỆP...", file=sys.stderr)
        return 2
    gazetteer = load_gazetteer()
    failed = 0
    for name in paths:
        path = Path(name)
        try:
            doc = document_from_text_file(path)
        except UnusableInputError as exc:
            print(f"Bỏ qua: {exc}", file=sys.stderr)
            failed += 1
            continue
        for task in extract_tasks(doc, gazetteer):
            print(json.dumps(task_record(task, path.name), ensure_ascii=False))
    return 1 if failed == len(paths) else 0


if __name__ == "__main__":
    sys.exit(main())
