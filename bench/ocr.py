"""Benchmark OCR: seeds and dev2 documents rendered as scanned PDFs (300 dpi, 0.7° tilt, specks), read
back through the crawl's document path (reader, then crawler.documents.ocr), scored against the text.

    python bench/ocr.py [--shared ../shared] [--set dev|dev2] [--only TEXT] [--limit N] [--smallest]
                        [--save DIR]

The scan goes to the PDF reader directly and is read whole: a crawl would refuse the longest seeds'
scans (50 and more pages, over max_document_mb) and cut them at ocr_max_pages.
Task tables (pipe-written in the text files) are drawn as ruled grids, so OCR has to give their cells
back. Prints per document the character error rate, pages per second and full_f1 (score_tasks.py) of
the tasks extracted four ways: from the text file, from a faithful reading of the rendered pages one
line per printed line (the loss the page layout itself causes, line wrapping and all), from that
reading with its paragraphs rebuilt by the OCR path's rule (crawler/documents/ocr_paragraphs.py: the
ceiling of a perfect OCR) and from the OCR text; then the totals and one line of JSON.
Predicted lines of the OCR text are mapped back to the text file's lines by aligning the two texts
(lines, then words inside a rebuilt paragraph), since the gold labels count lines of the text file.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.documents import document_from_file, document_from_pdf
from crawler.documents.ocr import OcrLimits, with_ocr
from crawler.documents.ocr_paragraphs import PrintedLine, paragraph_lines, text_column
from crawler.extract import extract_tasks, load_gazetteer
from crawler.extract.pipegrid import find_grids
from crawler.extract.records import task_record
from crawler.extract.tables import is_header
from crawler.models import DocumentText
from tests.scan_tables import PlacedCell, ScanTable, column_widths, placed_rows, reference_lines
from tests.scans import FONT, FONT_PX, MARGIN_PX, PAGE_PX, char_error_rate, render_pages, scanned_pdf
from tests.scans import scan_lines as wrapped

Reading = list[tuple[str, int]]  # lines of text, each with its line in the text file


def rendered(path: Path) -> tuple[list[str | ScanTable], list[str], list[int], Reading, Reading]:
    """What a scan of the file shows (its header left off): its lines (a bullet that a converter left
    alone on its line joined to the item it opens, a blank line left blank), and its task tables
    (pipe-written in the file) as ruled grids; the lines a reading gives back and each one's line in
    the file, the text a faithful OCR would give (tables pipe-written), each line with its line in
    the file, and that text with its paragraphs rebuilt as the OCR path rebuilds them."""
    text = path.read_text(encoding="utf-8")
    head = text.split("\n")
    body_start = head.index("---") + 1 if "---" in head[:40] else 0
    grids = {g.first: g for g in find_grids(head)
             if g.first >= body_start and is_header(g.as_table().rows[0])}
    items: list[str | ScanTable] = []
    reading: Reading = []
    in_tables: set[int] = set()
    lines: list[str] = []
    origin: list[int] = []
    number = body_start
    while number < len(head):
        grid = grids.get(number)
        if grid is not None:
            table = ScanTable(rows=grid.as_table().rows, origins=tuple(
                tuple(tuple(range(c.first + 1, c.first + 1 + len(c.text.split("\n")))) for c in row)
                for row in grid.rows))
            items.append(table)
            got, at = reference_lines(placed_rows(table, column_widths(table, TABLE_WIDTH_PX)))
            lines.extend(got)
            origin.extend(at)
            cells = _pipe_written(placed_rows(table, column_widths(table, TABLE_WIDTH_PX)))
            in_tables.update(range(len(reading), len(reading) + len(cells)))
            reading.extend(cells)
            number = grid.last
            continue
        line, first = head[number], number
        if line.strip() in _BULLETS and number + 1 < len(head) and head[number + 1].strip():
            number += 1  # a converter's bullet alone on its line: on paper it opens the item's line
            line = f"{line.strip()} {head[number].strip()}"
        for piece in wrapped(line) or [""]:  # a blank line is the paragraph spacing it is on paper
            items.append(piece)
            lines.append(piece)
            origin.append(first + 1)
            reading.append((piece, first + 1))
        number += 1
    return items, lines, origin, reading, rebuilt_reading(reading, in_tables)


def rebuilt_reading(reading: Reading, in_tables: set[int]) -> Reading:
    """A faithful reading with its paragraphs rebuilt by the OCR path's rule (ocr_paragraphs), each
    printed line measured in the font it is set in: what a perfect OCR gives through that path. A
    joined line keeps its first printed line's line in the file."""
    font = ImageFont.truetype(str(FONT), FONT_PX)
    printed = {i: PrintedLine(text, MARGIN_PX, MARGIN_PX + round(font.getlength(text)),
                              round(font.getlength(text.split()[0])))
               for i, (text, _) in enumerate(reading) if i not in in_tables and text.strip()}
    if not printed:
        return list(reading)
    column = text_column(list(printed.values()), round(font.getlength(" ")))
    out: Reading = []
    run: list[int] = []
    for i in [*range(len(reading)), len(reading)]:
        if i in printed:
            run.append(i)
            continue
        joined = paragraph_lines([printed[k] for k in run], column) if run else []
        out.extend(zip(joined, _first_origins([printed[k].text for k in run], joined,
                                              [reading[k][1] for k in run]), strict=True))
        run = []
        if i < len(reading):
            out.append(reading[i])
    return out


def _first_origins(pieces: list[str], joined: list[str], origins: list[int]) -> list[int]:
    """Each joined line's first piece's origin (the joined lines are the pieces, in order, some of
    them put together with a space)."""
    out, k = [], 0
    for line in joined:
        out.append(origins[k])
        taken = pieces[k]
        k += 1
        while taken != line:
            taken = f"{taken} {pieces[k]}"
            k += 1
    return out


def _without_bars(text: str) -> str:
    """An OCR text without the lone "|" lines that write its tables' cells (markup, not on the page)."""
    return "\n".join(line for line in text.split("\n") if line.strip() != "|")


def _pipe_written(rows: list[list[PlacedCell]]) -> list[tuple[str, int]]:
    """A table's faithful reading as the OCR text writes it (a "|" line before each cell and after each
    row), each line with its file line."""
    out: list[tuple[str, int]] = []
    for row in rows:
        for cell in row:
            at = cell.origins[0] if cell.origins else (out[-1][1] if out else 1)
            out.append(("|", at))
            out.extend(zip(cell.lines, cell.origins, strict=True))
        out.append(("|", out[-1][1] if out else 1))
    return out


_BULLETS = ("-", "+", "–", "•")


TABLE_WIDTH_PX = PAGE_PX[0] - 2 * MARGIN_PX
_ALL_PAGES = OcrLimits(max_pages=1000)  # the seeds run past ocr_max_pages; the benchmark reads them whole


def line_map(ocr_text: str, lines: list[str], origin: list[int]) -> list[int]:
    """For each line of the OCR text, the text file's line it was read from: the OCR lines are aligned
    with the rendered ones (difflib), and inside a block that differs (a paragraph rebuilt from
    several printed lines, a misread line) the words are, each OCR line taking its first word's line."""
    got = ocr_text.split("\n")
    kept = [i for i, line in enumerate(got) if line.strip()]
    want = [i for i, line in enumerate(lines) if line.strip()]
    matcher = difflib.SequenceMatcher(None, [" ".join(got[i].split()) for i in kept],
                                      [" ".join(lines[j].split()) for j in want], autojunk=False)
    source: dict[int, int] = {}
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            source.update((kept[a1 + k], origin[want[b1 + k]]) for k in range(a2 - a1))
        elif a2 > a1:
            before = origin[want[b1 - 1]] if b1 > 0 and want else (origin[0] if origin else 1)
            source.update(_word_map([(kept[k], got[kept[k]]) for k in range(a1, a2)],
                                    [(origin[want[k]], lines[want[k]]) for k in range(b1, b2)], before))
    mapped, last = [], origin[0] if origin else 1
    for i in range(len(got)):
        last = source.get(i, last)
        mapped.append(last)
    return mapped


def _word_map(got: list[tuple[int, str]], want: list[tuple[int, str]], before: int) -> dict[int, int]:
    """Each OCR line (index, text) mapped to the file line of the reference word its first word aligns
    with (words of differing spans spread over the reference span); `before` when none is left."""
    got_words = [(index, word) for index, text in got for word in text.split()]
    want_words = [(at, word) for at, text in want for word in text.split()]
    matcher = difflib.SequenceMatcher(None, [w for _, w in got_words], [w for _, w in want_words],
                                      autojunk=False)
    word_origin: list[int] = [before] * len(got_words)
    for _, a1, a2, b1, b2 in matcher.get_opcodes():
        for k in range(a1, a2):
            b = b1 + (k - a1) * (b2 - b1) // max(a2 - a1, 1) if b2 > b1 else b1 - 1
            word_origin[k] = want_words[b][0] if 0 <= b < len(want_words) else before
    out: dict[int, int] = {}
    for (index, _), at in zip(got_words, word_origin, strict=True):
        out.setdefault(index, at)
    return out


def score(gold: Path, records: list[dict[str, object]], seeds: set[str], coverage: Path | None) -> float:
    """full_f1 of the records against the gold tasks of these files (score_tasks.py --json)."""
    with tempfile.TemporaryDirectory() as tmp:
        gold_part, pred = Path(tmp, "gold.jsonl"), Path(tmp, "pred.jsonl")
        gold_part.write_text("".join(line + "\n" for line in gold.read_text("utf-8").splitlines()
                                     if json.loads(line)["seed"] in seeds), encoding="utf-8")
        pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        scorer = gold.parents[1] / "score_tasks.py"
        command = [sys.executable, str(scorer), str(gold_part), str(pred), "--json"]
        if coverage is not None:
            command += ["--coverage", str(coverage)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["full_f1"])


def bench_file(path: Path, gazetteer: object, save: Path | None = None) -> dict[str, object]:
    """One document: render, OCR through the document path, CER and the two record sets."""
    items, lines, origin, reading, rebuilt = rendered(path)
    images = render_pages(items)
    pdf, pages = scanned_pdf(images), len(images)
    text_doc = document_from_file(path)
    started = time.perf_counter()
    scan = with_ocr(document_from_pdf(pdf, path.name), pdf, _ALL_PAGES)  # no download or page bound
    seconds = time.perf_counter() - started
    scan = dataclasses.replace(scan, kind=text_doc.kind, published=text_doc.published)
    mapped = line_map(scan.text, lines, origin)
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        (save / f"{path.stem}.ocr.txt").write_text(scan.text, encoding="utf-8")
        (save / f"{path.stem}.ref.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text_records = [task_record(t, path.name) for t in extract_tasks(text_doc, gazetteer)]  # type: ignore[arg-type]
    page_records = _reading_records(text_doc, reading, gazetteer)
    rebuilt_records = _reading_records(text_doc, rebuilt, gazetteer)
    ocr_records = []
    for task in extract_tasks(scan, gazetteer):  # type: ignore[arg-type]
        record = task_record(task, path.name)
        record["line"] = mapped[min(task.line, len(mapped)) - 1]
        ocr_records.append(record)
    cer = char_error_rate(_without_bars(scan.text), "\n".join(lines))
    tables = len(find_grids(scan.text.split("\n")))
    return {"file": path.name, "cer": cer, "pages": pages, "seconds": seconds,
            "confidence": scan.ocr_confidence, "tables": tables, "text": text_records,
            "pages_read": page_records, "rebuilt": rebuilt_records, "ocr": ocr_records}


def _reading_records(text_doc: DocumentText, reading: Reading, gazetteer: object) -> list[dict[str, object]]:
    """The tasks extracted from a faithful reading, each pointing at its line in the text file."""
    faithful = dataclasses.replace(text_doc, text="\n".join(line for line, _ in reading) + "\n", tables=())
    records = []
    for task in extract_tasks(faithful, gazetteer):  # type: ignore[arg-type]
        record = task_record(task, text_doc.name)
        record["line"] = reading[min(task.line, len(reading)) - 1][1] if reading else 1
        records.append(record)
    return records


_RECORD_SETS = {"text": "văn bản", "pages_read": "trang in đọc đúng từng dòng",
                "rebuilt": "đọc đúng, ghép lại đoạn", "ocr": "qua OCR"}


def _figures(f1: dict[str, float]) -> str:
    """The full_f1 of each record set, labelled."""
    return ", ".join(f"{label} {f1[key]:.3f}" for key, label in _RECORD_SETS.items())


def main() -> None:
    """Run the benchmark over the chosen documents and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--limit", type=int, default=0, help="at most N documents per set")
    parser.add_argument("--smallest", action="store_true", help="take the smallest documents first")
    parser.add_argument("--set", choices=("dev", "dev2"), action="append", help="only this set (repeatable)")
    parser.add_argument("--only", action="append", help="only files whose name holds TEXT (repeatable)")
    parser.add_argument("--save", help="write each OCR text and the rendered reference into DIR")
    args = parser.parse_args()
    shared = Path(args.shared)
    gazetteer = load_gazetteer()
    gold = shared / "eval" / "gold"
    sets = {"dev": (sorted((shared / "seeds").glob("*.txt")), gold / "dev.jsonl", gold / "dev_coverage.json"),
            "dev2": (sorted((shared / "eval/dev2/docs").glob("*.txt")), gold / "dev2.jsonl", None)}
    summary: dict[str, object] = {}
    all_pages, all_seconds = 0, 0.0
    for name, (files, gold, coverage) in sets.items():
        if args.set and name not in args.set:
            continue
        files = [f for f in files if not args.only or any(o in f.name for o in args.only)]
        if not files:
            continue
        if args.smallest:
            files = sorted(files, key=lambda p: p.stat().st_size)
        files = files[: args.limit] if args.limit else files
        results = []
        for path in files:
            r = bench_file(path, gazetteer, Path(args.save) if args.save else None)
            results.append(r)
            print(f"{name} {r['file']}: CER {float(r['cer']):.2%}, {r['pages']} trang, "  # type: ignore[arg-type]
                  f"{r['seconds']:.1f} s, tin cậy {r['confidence']}, {r['tables']} bảng", flush=True)
        for r in results:
            one = {str(r["file"])}
            f1 = {key: score(gold, r[key], one, coverage) for key in _RECORD_SETS}  # type: ignore[arg-type]
            print(f"{name} {r['file']}: full_f1 {_figures(f1)}", flush=True)
        seeds = {str(r["file"]) for r in results}
        f1 = {key: score(gold, [x for r in results for x in r[key]], seeds, coverage)  # type: ignore[attr-defined]
              for key in _RECORD_SETS}
        pages = sum(int(r["pages"]) for r in results)  # type: ignore[call-overload]
        seconds = sum(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
        all_pages, all_seconds = all_pages + pages, all_seconds + seconds
        cer = sum(float(r["cer"]) for r in results) / max(len(results), 1)  # type: ignore[arg-type]
        print(f"{name}: {len(results)} văn bản, CER trung bình {cer:.2%}, full_f1 {_figures(f1)}, "
              f"OCR kém văn bản {f1['text'] - f1['ocr']:.3f}, {pages / max(seconds, 1e-9):.3f} trang/giây",
              flush=True)
        summary[name] = {"documents": len(results), "cer": round(cer, 4),
                         "text_full_f1": round(f1["text"], 3),
                         "faithful_reading_full_f1": round(f1["pages_read"], 3),
                         "faithful_rebuilt_full_f1": round(f1["rebuilt"], 3),
                         "ocr_full_f1": round(f1["ocr"], 3)}
    summary["pages_per_second"] = round(all_pages / max(all_seconds, 1e-9), 3)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
