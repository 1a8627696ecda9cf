"""Benchmark task extraction: throughput and peak memory over the seeds repeated to 50 MB.

    python bench/extract.py [--mb 50] [--seeds ../shared/seeds]

Prints readable figures, then one final line of JSON with the same figures. Documents are
extracted one at a time, as the service does, so peak memory should stay flat in input size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.documents import document_from_file
from crawler.extract import extract_tasks, load_gazetteer
from crawler.models import DocumentText

DEFAULT_SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"


def load_seeds(folder: Path) -> list[DocumentText]:
    """Read every seed document once."""
    docs = [document_from_file(path) for path in sorted(folder.glob("*.txt"))]
    if not docs:
        raise SystemExit(f"Không tìm thấy tệp .txt nào trong {folder}")
    return docs


def run(docs: list[DocumentText], target_bytes: int, trace: bool = False) -> dict[str, float]:
    """Extract documents round-robin until `target_bytes` of text were read; measure time, or
    peak memory when `trace` is set (tracing slows the run, so it is a separate pass)."""
    gazetteer = load_gazetteer()
    extract_tasks(docs[0], gazetteer)  # warm up caches and compiled patterns
    done_bytes = tasks = count = 0
    if trace:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    while done_bytes < target_bytes:
        doc = docs[count % len(docs)]
        tasks += len(extract_tasks(doc, gazetteer))
        done_bytes += len(doc.text.encode("utf-8"))
        count += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    mb = done_bytes / 1e6
    return {
        "mb": round(mb, 2),
        "documents": count,
        "tasks": tasks,
        "seconds_wall": round(wall, 2),
        "seconds_cpu": round(cpu, 2),
        "mb_per_s_cpu": round(mb / cpu, 2),
        "mb_per_s_wall": round(mb / wall, 2),
        "tasks_per_s_cpu": round(tasks / cpu, 1),
        "peak_mb": round(peak / 1e6, 1),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="MB of text to process")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of .txt seeds")
    args = parser.parse_args()
    docs = load_seeds(args.seeds.resolve())
    figures = run(docs, int(args.mb * 1e6))
    small = run(docs, int(args.mb * 1e6 / 50), trace=True)
    large = run(docs, int(args.mb * 1e6 / 10), trace=True)
    figures["peak_mb"], figures["peak_mb_at_fiftieth"] = large["peak_mb"], small["peak_mb"]
    print(f"text:        {figures['mb']} MB in {figures['documents']} documents")
    print(f"throughput:  {figures['mb_per_s_cpu']} MB/s (CPU), {figures['mb_per_s_wall']} MB/s (wall)")
    print(f"tasks:       {figures['tasks']} ({figures['tasks_per_s_cpu']} tasks/s CPU)")
    print(
        f"peak memory: {figures['peak_mb']} MB over a tenth of the input, "
        f"{small['peak_mb']} MB over a fiftieth (flat means memory does not grow with input)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
