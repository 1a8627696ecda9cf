"""Benchmark task extraction: CPU throughput and peak memory over distinct real documents.

    python bench/extract.py [--shared ../shared] [--repeat 3]

The input is every distinct text of the seeds, the external and dev2 evaluation documents and the
unlabelled corpus, each read once per pass (no text is repeated, so caches cannot flatter the
figure); every pass starts with the extraction caches emptied. Documents are extracted one at a
time, as the service does, so peak memory should stay flat in input size: a traced pass reports the
peak over its first fifth and over all of it. Prints readable figures, then one line of JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pkgutil
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crawler.extract
from crawler.documents import document_from_file
from crawler.extract import extract_tasks, load_gazetteer
from crawler.models import DocumentText

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
FOLDERS = ("seeds", "eval/external/docs", "eval/dev2/docs", "eval/corpus")
WARM_UP = "Bộ Tài chính chủ trì, hoàn thành trước ngày 30/6/2025."


def load_documents(shared: Path) -> list[DocumentText]:
    """Read every distinct .txt document of the benchmark folders once."""
    docs: dict[str, DocumentText] = {}
    for folder in FOLDERS:
        for path in sorted((shared / folder).glob("*.txt")):
            doc = document_from_file(path)
            docs.setdefault(hashlib.sha256(doc.text.encode()).hexdigest(), doc)
    if not docs:
        raise SystemExit(f"Không tìm thấy tệp .txt nào trong {shared}")
    return list(docs.values())


def empty_caches() -> None:
    """Empty every functools cache of the extraction modules, the gazetteer's own included."""
    for info in pkgutil.iter_modules(crawler.extract.__path__, "crawler.extract."):
        for value in vars(importlib.import_module(info.name)).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def cold_pass(docs: list[DocumentText]) -> tuple[float, int]:
    """Extract every document once from empty caches; return the CPU seconds and tasks found."""
    empty_caches()
    gazetteer = load_gazetteer()
    extract_tasks(DocumentText(name="warm-up", text=WARM_UP), gazetteer)  # compile the patterns, not timed
    empty_caches()
    gazetteer = load_gazetteer()
    cpu = time.process_time()
    tasks = sum(len(extract_tasks(doc, gazetteer)) for doc in docs)
    return time.process_time() - cpu, tasks


def traced_pass(docs: list[DocumentText]) -> tuple[float, float]:
    """Peak traced memory (MB) over the first fifth of the input and over all of it."""
    empty_caches()
    gazetteer = load_gazetteer()
    fifth = sum(len(d.text.encode()) for d in docs) / 5
    done, early = 0, 0.0
    tracemalloc.start()
    for doc in docs:
        extract_tasks(doc, gazetteer)
        done += len(doc.text.encode())
        if not early and done >= fifth:
            early = tracemalloc.get_traced_memory()[1] / 1e6
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return early, peak


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (the best is kept)")
    args = parser.parse_args()
    docs = load_documents(args.shared.resolve())
    mb = sum(len(d.text.encode()) for d in docs) / 1e6
    passes = [cold_pass(docs) for _ in range(max(args.repeat, 1))]
    cpu, tasks = min(passes)
    early, peak = traced_pass(docs)
    figures = {
        "mb": round(mb, 2),
        "documents": len(docs),
        "tasks": tasks,
        "seconds_cpu": round(cpu, 2),
        "mb_per_s_cpu": round(mb / cpu, 2),
        "peak_mb": round(peak, 1),
        "peak_mb_at_fifth": round(early, 1),
    }
    print(f"text:        {figures['mb']} MB in {len(docs)} distinct documents")
    print(f"throughput:  {figures['mb_per_s_cpu']} MB/s (CPU, best of {len(passes)} cold passes)")
    print(f"tasks:       {tasks}")
    print(f"peak memory: {figures['peak_mb']} MB over all, {early:.1f} MB over the first fifth")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
