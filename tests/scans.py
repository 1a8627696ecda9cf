"""Scanned-looking files made for tests and bench/ocr.py: text set on A4 pages at 300 dpi, tilted and
speckled, saved as a PDF of images with no text layer (or as a PNG)."""

from __future__ import annotations

import difflib
import io
import random
import textwrap
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.scan_tables import (
    ScanTable,
    close_table,
    column_widths,
    draw_row,
    placed_rows,
    reference_lines,
    row_height,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 300
PAGE_PX = (2480, 3508)  # A4 at 300 dpi
MARGIN_PX = 240
FONT_PX = 46  # about 11 pt at 300 dpi
LINE_PX = 66
WRAP_CHARS = 72


def scan_lines(text: str) -> list[str]:
    """The lines a scan shows of a text file: markdown emphasis (`**`, `*`, `__`: bold and italics on
    paper) and rules (`---`, `|---|`) dropped, long lines wrapped."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("*", "").replace("__", "").rstrip()
        if not any(char.isalnum() for char in line):
            line = ""
        lines.extend(textwrap.wrap(line, WRAP_CHARS) or [""])
    return lines


def render_pages(items: Sequence[str | ScanTable], tilt_deg: float = 0.7, noise: float = 0.002,
                 seed: int = 1) -> list[Image.Image]:
    """Grayscale A4 page images of the lines and ruled tables, each page rotated by tilt_deg and
    sprinkled with dark specks."""
    font = ImageFont.truetype(str(FONT), FONT_PX)
    rng = random.Random(seed)
    pages: list[Image.Image] = []
    bottom = PAGE_PX[1] - MARGIN_PX
    page, y = _new_page(), MARGIN_PX
    for item in items:
        if isinstance(item, str):
            if y + LINE_PX > bottom:
                pages.append(page)
                page, y = _new_page(), MARGIN_PX
            ImageDraw.Draw(page).text((MARGIN_PX, y), item, font=font, fill=0)
            y += LINE_PX
            continue
        widths = column_widths(item, PAGE_PX[0] - 2 * MARGIN_PX)
        opened = True
        for cells in placed_rows(item, widths):
            if y + row_height(cells) > bottom and not opened:
                close_table(ImageDraw.Draw(page), widths, MARGIN_PX, y)
                pages.append(page)
                page, y, opened = _new_page(), MARGIN_PX, True
            y = draw_row(ImageDraw.Draw(page), cells, widths, MARGIN_PX, y, opened)
            opened = False
        close_table(ImageDraw.Draw(page), widths, MARGIN_PX, y)
        y += LINE_PX
    pages.append(page)
    return [_scanned(p, tilt_deg, noise, rng) for p in pages]


def _new_page() -> Image.Image:
    """A blank A4 page."""
    return Image.new("L", PAGE_PX, 255)


def _scanned(page: Image.Image, tilt_deg: float, noise: float, rng: random.Random) -> Image.Image:
    """A page sprinkled with dark specks and tilted, as it comes out of a scanner."""
    draw = ImageDraw.Draw(page)
    for _ in range(int(PAGE_PX[0] * PAGE_PX[1] * noise / 100)):
        x, y = rng.randrange(PAGE_PX[0]), rng.randrange(PAGE_PX[1])
        draw.ellipse((x, y, x + rng.randint(1, 4), y + rng.randint(1, 4)), fill=rng.randint(0, 120))
    return page.rotate(tilt_deg, resample=Image.Resampling.BICUBIC, fillcolor=255)


def scan_reference(items: Sequence[str | ScanTable]) -> list[str]:
    """The lines a faithful reading of the rendered pages gives: text lines as set, tables cell by
    cell, row by row."""
    lines: list[str] = []
    for item in items:
        if isinstance(item, str):
            lines.append(item)
            continue
        lines.extend(reference_lines(placed_rows(item, column_widths(item, PAGE_PX[0] - 2 * MARGIN_PX)))[0])
    return lines


def scanned_pdf(pages: Sequence[Image.Image]) -> bytes:
    """A PDF whose pages are the images only: no text layer, as a scanner makes it."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=list(pages[1:]))
    return out.getvalue()


def text_scan_pdf(text: str, tilt_deg: float = 0.7) -> bytes:
    """A text rendered as a tilted, speckled scanned PDF."""
    return scanned_pdf(render_pages(scan_lines(text), tilt_deg))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters inserted, deleted or replaced)."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


_MERGE_GAP = 3  # equal words between two differing spans that are scored together
_MERGE_CHARS = 4000  # the most characters of read text one scored span holds


def char_error_rate(read: str, truth: str) -> float:
    """Characters wrong per character of the truth, whitespace runs counted as one space: the words are
    aligned first (difflib), then edit distances are taken inside the spans that differ, so long
    documents stay quick and a paragraph read back on one line is scored as its words, not as lines
    that differ from the printed ones. Differing spans at most _MERGE_GAP equal words apart are scored
    as one, so a misread word that the alignment pairs with a near-duplicate nearby is counted by its
    wrong characters, not as a whole word lost and a whole word added."""
    got, want = read.split(), truth.split()
    spans: list[list[int]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, got, want, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        last = spans[-1] if spans else None
        if last and a1 - last[1] <= _MERGE_GAP and len(" ".join(got[last[0]:a2])) < _MERGE_CHARS:
            last[1], last[3] = a2, b2
        else:
            spans.append([a1, a2, b1, b2])
    errors = sum(edit_distance(" ".join(got[a1:a2]), " ".join(want[b1:b2])) for a1, a2, b1, b2 in spans)
    return errors / max(len(" ".join(want)), 1)
