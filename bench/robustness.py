"""Extraction under layout changes real documents show: how much each labelled set's scores move.

    .venv/bin/python bench/robustness.py [--sets dev2,external,dev] [--changes nobold,dot,...]

Each change rewrites every document of a labelled set (and its gold labels where they quote the
text) the way another issuer or another text extractor would write it: no markdown bold ("nobold"),
"UBND" for "Ủy ban nhân dân" ("ubnd"), "a." or "a/" and "1/" list marks ("dot", "slash"), lines
hard-wrapped at 80 columns as in PDF text ("wrap"), no blank lines between paragraphs ("noblank").
Gold line numbers follow the rewritten lines. For each set and change it runs `dondoc extract` and
`score_tasks.py` and prints the scores next to the unchanged set's; the last line is JSON with every
full_f1. Rules that hold only for one layout show as drops.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETS = {
    "dev2": ("eval/dev2/docs/*.txt", "eval/gold/dev2.jsonl"),
    "external": ("eval/external/docs/*", "eval/gold/dev_external.jsonl"),
    "dev": ("seeds/*", "eval/gold/dev.jsonl"),
}
LineMap = dict[int, int]
Change = Callable[[str], tuple[str, LineMap | None]]


def _same_lines(rewrite: Callable[[str], str]) -> Change:
    """A change that keeps every line where it was."""
    return lambda text: (rewrite(text), None)


def _wrapped(text: str, width: int = 80) -> tuple[str, LineMap]:
    """Hard-wrap long prose lines (not pipe-table lines) as PDF text does."""
    out: list[str] = []
    moved: LineMap = {}
    for number, line in enumerate(text.split("\n"), 1):
        moved[number] = len(out) + 1
        long_prose = len(line) > width and not line.startswith("|")
        out += (textwrap.wrap(line, width) or [""]) if long_prose else [line]
    return "\n".join(out), moved


def _without_blank_lines(text: str) -> tuple[str, LineMap]:
    """Drop blank lines, as text extractors that do not mark paragraphs do."""
    out: list[str] = []
    moved: LineMap = {}
    for number, line in enumerate(text.split("\n"), 1):
        moved[number] = len(out) + 1
        if line.strip():
            out.append(line)
    return "\n".join(out), moved


CHANGES: dict[str, Change] = {
    "none": _same_lines(lambda t: t),
    "nobold": _same_lines(lambda t: re.sub(r"\*+|__", "", t)),
    "ubnd": _same_lines(lambda t: re.sub(r"Ủy ban nhân dân|Uỷ ban nhân dân", "UBND", t)),
    "dot": _same_lines(lambda t: re.sub(r"(?m)^(\s*(?:\*\*)?)([a-zđ])\) ", r"\1\2. ", t)),
    "slash": _same_lines(lambda t: re.sub(r"(?m)^(\s*(?:\*\*)?)(\d{1,2}|[a-zđ])[.)] ", r"\1\2/ ", t)),
    "wrap": _wrapped,
    "noblank": _without_blank_lines,
}
TEXT_CHANGES = ("nobold", "ubnd")  # changes the gold's quoted text follows


def _rewrite_set(name: str, change: str, into: Path) -> tuple[list[Path], Path]:
    """Write a set's documents and gold labels rewritten by one change; return files and gold."""
    pattern, gold = SETS[name]
    rewrite = CHANGES[change]
    files: list[Path] = []
    maps: dict[str, LineMap | None] = {}
    for source in sorted(SHARED.glob(pattern)):
        text, moved = rewrite(source.read_text(encoding="utf-8"))
        target = into / source.name
        target.write_text(text, encoding="utf-8")
        files.append(target)
        maps[source.name] = moved
    gold_out = into / "gold.jsonl"
    with (SHARED / gold).open(encoding="utf-8") as src, gold_out.open("w", encoding="utf-8") as dst:
        for line in src:
            record = json.loads(line)
            moved = maps.get(record["seed"])
            if moved:
                record["line"] = moved.get(int(record["line"]), record["line"])
            if change in TEXT_CHANGES:
                for key in ("action", "anchor"):
                    record[key] = rewrite(record.get(key) or "")[0]
                for key in ("lead", "support"):
                    record[key] = [rewrite(u)[0] for u in record.get(key) or []]
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    return files, gold_out


def _score(files: list[Path], gold: Path, into: Path) -> dict[str, float]:
    """Extract the rewritten files and score them against the rewritten gold."""
    predicted = into / "predicted.jsonl"
    with predicted.open("w", encoding="utf-8") as out:
        extract = [sys.executable, str(ROOT / "scheduler.py"), "extract", *map(str, files)]
        subprocess.run(extract, stdout=out, stderr=subprocess.DEVNULL, check=True)
    score = [sys.executable, str(SHARED / "eval" / "score_tasks.py"), str(gold), str(predicted), "--json"]
    scored = subprocess.run(score, capture_output=True, text=True, check=True).stdout
    figures = json.loads(scored.strip().splitlines()[-1])
    return {k: round(v, 3) for k, v in figures.items() if isinstance(v, float)}


def main() -> None:
    """Run every change on every set and print the scores beside the unchanged ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--changes", default=",".join(c for c in CHANGES if c != "none"))
    args = parser.parse_args()
    summary: dict[str, float] = {}
    keys = ("task_precision", "task_recall", "deadline_acc", "lead_acc", "full_f1")
    print(f"{'set':9} {'change':8} " + " ".join(f"{k:>14}" for k in keys))
    for name in args.sets.split(","):
        for change in ["none", *args.changes.split(",")]:
            with tempfile.TemporaryDirectory() as tmp:
                files, gold = _rewrite_set(name, change, Path(tmp))
                figures = _score(files, gold, Path(tmp))
            print(f"{name:9} {change:8} " + " ".join(f"{figures.get(k, 0.0):>14.3f}" for k in keys))
            summary[f"{name}/{change}"] = figures.get("full_f1", 0.0)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
