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

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 300
PAGE_PX = (2480, 3508)  # A4 at 300 dpi
MARGIN_PX = 240
FONT_PX = 46  # about 11 pt at 300 dpi
LINE_PX = 66
WRAP_CHARS = 72


def scan_lines(text: str) -> list[str]:
    """The lines a scan shows of a text file: markdown emphasis and rules (`---`, `|---|`) dropped, long
    lines wrapped."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("**", "").replace("__", "").rstrip()
        if not any(char.isalnum() for char in line):
            line = ""
        lines.extend(textwrap.wrap(line, WRAP_CHARS) or [""])
    return lines


def render_pages(lines: Sequence[str], tilt_deg: float = 0.7, noise: float = 0.002,
                 seed: int = 1) -> list[Image.Image]:
    """Grayscale A4 page images of the lines, each rotated by tilt_deg and sprinkled with dark specks."""
    font = ImageFont.truetype(str(FONT), FONT_PX)
    per_page = (PAGE_PX[1] - 2 * MARGIN_PX) // LINE_PX
    rng = random.Random(seed)
    pages = []
    for first in range(0, max(len(lines), 1), per_page):
        page = Image.new("L", PAGE_PX, 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[first:first + per_page]):
            draw.text((MARGIN_PX, MARGIN_PX + row * LINE_PX), line, font=font, fill=0)
        for _ in range(int(PAGE_PX[0] * PAGE_PX[1] * noise / 100)):
            x, y = rng.randrange(PAGE_PX[0]), rng.randrange(PAGE_PX[1])
            draw.ellipse((x, y, x + rng.randint(1, 4), y + rng.randint(1, 4)), fill=rng.randint(0, 120))
        pages.append(page.rotate(tilt_deg, resample=Image.Resampling.BICUBIC, fillcolor=255))
    return pages


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


def char_error_rate(read: str, truth: str) -> float:
    """Characters wrong per character of the truth, whitespace runs counted as one space: the lines are
    aligned first (difflib), then edit distances are taken inside the blocks that differ, so long
    documents stay quick."""
    got = [" ".join(line.split()) for line in read.splitlines() if line.strip()]
    want = [" ".join(line.split()) for line in truth.splitlines() if line.strip()]
    errors = 0
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, got, want, autojunk=False).get_opcodes():
        if op != "equal":
            errors += edit_distance(" ".join(got[a1:a2]), " ".join(want[b1:b2]))
    return errors / max(len(" ".join(want)), 1)
