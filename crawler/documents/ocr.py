"""OCR of scanned documents: PDF pages without a text layer and image files (PNG/JPEG/TIFF) read by
Tesseract's Vietnamese model, after a projection-profile deskew.

Bounded: at most `max_pages` pages (the rest are cut with a notice), at most `max_pixels` pixels per
page (a PDF page is rendered at a lower resolution to fit, an image over it is refused before it is
decoded), at most `page_timeout_s` seconds of Tesseract per page. A scan that cannot be read raises
UnusableInputError with a Vietnamese reason; the caller reports it and keeps the document.

Tesseract is driven through pytesseract rather than OCRmyPDF, by measurement (bench/ocr.py pages of
dev2 55, 49 and 42, OCRmyPDF 17.13 with --deskew, its text layer read back by the PDF reader): CER
0.15%, 0.04%, 0.52% here against 0.51%, 1.10%, 62.7% (on the task table its text layer runs across
the cells), at the same speed; and only word boxes let a table's words be placed in their cells.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import logging
import math
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.documents.ocr_cells import unread_cells
from crawler.documents.ocr_grid import find_grids, without_rules
from crawler.documents.ocr_layout import PageTable, Word, page_layout
from crawler.documents.ocr_paragraphs import PageEdges
from crawler.errors import UnusableInputError
from crawler.models import DocumentText

if TYPE_CHECKING:
    from PIL.Image import Image

    from crawler.config import GeneralConfig

logger = logging.getLogger(__name__)

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_LANG = "vie"
_SKEW_RANGE_DEG = 3.0
_SKEW_STEP_DEG = 0.2
_SKEW_WIDTH_PX = 800
_MEDIAN_PX = 5
_STRAY = "_'`"  # marks no Vietnamese word starts or ends with
_MEDIAN_MIN_SIDE_PX = 2000  # about an A4 page's width at 240 dpi
_SPECK_CONFIDENCE = 60
_DASH_CONFIDENCE = 30  # a thin dash (a range "2026 - 2030", a list item) reads with low confidence


@dataclass(frozen=True)
class OcrLimits:
    """The bounds of one document's OCR (general.ocr_* in dondoc.toml)."""

    max_pages: int = 30
    max_pixels: int = 40_000_000
    page_timeout_s: int = 60
    dpi: int = 300


DEFAULT_OCR = OcrLimits()


def ocr_limits(general: GeneralConfig) -> OcrLimits:
    """The OCR bounds a config sets (general.ocr_max_pages, ocr_max_pixels, ocr_page_timeout_s)."""
    return OcrLimits(max_pages=general.ocr_max_pages, max_pixels=general.ocr_max_pixels,
                     page_timeout_s=general.ocr_page_timeout_s)


@dataclass(frozen=True)
class OcrPage:
    """One page read back: its lines (a blank line between paragraphs), its mean word confidence."""

    lines: tuple[str, ...]
    confidence: float
    skew_deg: float
    tables: tuple[PageTable, ...] = ()  # where its ruled tables lie among its lines
    edges: PageEdges | None = None  # its first and last printed lines, to join a paragraph across pages


def is_image(content: bytes) -> bool:
    """True for PNG, JPEG or TIFF bytes."""
    return content.startswith(IMAGE_MAGIC)


def ocr_missing_reason() -> str | None:
    """Why OCR cannot run here (Tesseract or its Vietnamese model missing), or None when it can."""
    binary = shutil.which("tesseract")
    if binary is None:
        return "máy chưa cài Tesseract (gói tesseract-ocr), không nhận dạng được bản quét"
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "không chạy được Tesseract, không nhận dạng được bản quét"
    if _LANG not in listed.split():
        return "Tesseract chưa có dữ liệu tiếng Việt (gói tesseract-ocr-vie), không nhận dạng được bản quét"
    return None


def with_ocr(document: DocumentText, content: bytes, limits: OcrLimits = DEFAULT_OCR) -> DocumentText:
    """The document unchanged when it has a text layer; a scan OCR'd (text, ocr_confidence, notices)."""
    if not document.needs_ocr:
        return document
    missing = ocr_missing_reason()
    if missing is not None:
        raise UnusableInputError(f"{document.name}: {missing}")
    notices: list[str] = []
    pages: list[OcrPage] = []
    for index, image in enumerate(_page_images(content, document.name, limits, notices), start=1):
        try:
            pages.append(ocr_image(image, limits.page_timeout_s))
        except UnusableInputError as exc:
            notices.append(f"trang {index}: {exc}")
    words = [p for p in pages if p.lines]
    if not words:
        reason = "; ".join(notices) or "không nhận dạng được chữ nào trên bản quét"
        raise UnusableInputError(f"{document.name}: {reason}")
    lines, starts = joined_pages(pages)
    confidence = sum(p.confidence for p in words) / len(words)
    logger.info("%s: OCR pages=%d confidence=%.1f", document.name, len(pages), confidence)
    return dataclasses.replace(
        document, text="\n".join(lines).rstrip() + "\n", ocr_confidence=round(confidence, 1),
        ocr_pages=tuple(starts), notices=(*document.notices, *notices),
    )


def joined_pages(pages: list[OcrPage]) -> tuple[list[str], list[int]]:
    """The pages' lines one after another and each page's first line. A page break is not a paragraph
    break: no blank line is put between pages (one cut an item in two, and its deadline went to the
    next item), and a paragraph that runs on to the next page is one line (PageEdges). A table that
    ends one page and opens the next with the same columns is one table (a page number or a speck
    read between them is dropped)."""
    lines: list[str] = []
    starts: list[int] = []
    last: PageTable | None = None
    before: PageEdges | None = None
    for page in pages:
        own = list(page.lines)
        first = page.tables[0] if page.tables else None
        if (last is not None and first is not None and last.continued_by(first)
                and all(_margin_mark(line) for line in own[:first.first])):
            while lines and _margin_mark(lines[-1]):
                lines.pop()
            own = own[first.first:]
        while lines and own and not own[0]:
            own.pop(0)
        if before is not None and page.edges is not None and before.runs_on(page.edges) and lines and own:
            lines[-1] = f"{lines[-1]} {own.pop(0)}"
        starts.append(len(lines) + 1)
        lines.extend(own)
        before = page.edges
        ends = page.tables[-1] if page.tables else None
        after = page.lines[ends.last + 1:] if ends is not None else ()
        last = ends if ends is not None and all(_margin_mark(line) for line in after) else None
    return lines, starts


def _margin_mark(line: str) -> bool:
    """True for a blank line or a mark of at most two characters and no letter (a page number, a speck)."""
    text = line.strip()
    return text != "|" and len(text) <= 2 and not any(char.isalpha() for char in text)


def _page_images(content: bytes, name: str, limits: OcrLimits, notices: list[str]) -> Iterator[Image]:
    """The pages to OCR, grayscale, at most limits.max_pages of them (a notice says what was cut)."""
    if is_image(content):
        yield from _image_frames(content, name, limits, notices)
        return
    import pypdfium2 as pdfium  # heavy import, only where scans are read

    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise UnusableInputError(f"{name}: tệp PDF bị hỏng, không nhận dạng được") from exc
    try:
        total = len(pdf)
        if total > limits.max_pages:
            notices.append(_cut_notice(total, limits.max_pages))
        for index in range(min(total, limits.max_pages)):
            page = pdf[index]
            width, height = page.get_size()
            scale = min(limits.dpi / 72, math.sqrt(limits.max_pixels / max(width * height, 1.0)))
            if scale * 72 < 100:
                notices.append(f"trang {index + 1}: khổ trang quá lớn ({width:.0f}×{height:.0f} điểm), "
                               f"vượt giới hạn {limits.max_pixels} điểm ảnh (ocr_max_pixels), bỏ qua")
                continue
            yield page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()


def _image_frames(content: bytes, name: str, limits: OcrLimits, notices: list[str]) -> Iterator[Image]:
    """An image file's frames (a multi-page TIFF has several), refused before decoding when too large."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
    except Image.DecompressionBombError as exc:  # Pillow's own bound, far above ours
        raise UnusableInputError(_pixels_reason(name, _png_size(content), limits)) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise UnusableInputError(f"{name}: tệp ảnh bị hỏng, không đọc được") from exc
    width, height = image.size
    if width * height > limits.max_pixels:
        raise UnusableInputError(_pixels_reason(name, (width, height), limits))
    frames = getattr(image, "n_frames", 1)
    if frames > limits.max_pages:
        notices.append(_cut_notice(frames, limits.max_pages))
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= limits.max_pages:
            break
        if frame.size[0] * frame.size[1] > limits.max_pixels:
            notices.append(f"trang {index + 1}: {_pixels_reason(name, frame.size, limits)}")
            continue
        try:
            yield frame.convert("L")
        except OSError as exc:
            raise UnusableInputError(f"{name}: tệp ảnh bị hỏng, không đọc được") from exc


def _cut_notice(total: int, kept: int) -> str:
    """The notice of a scan longer than the page bound."""
    return (f"bản quét có {total} trang, chỉ nhận dạng {kept} trang đầu "
            f"(giới hạn {kept} trang, ocr_max_pages)")


def _png_size(content: bytes) -> tuple[int, int] | None:
    """The width and height a PNG's header declares, or None for another format."""
    if not content.startswith(IMAGE_MAGIC[0]) or len(content) < 24:
        return None
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")


def _pixels_reason(name: str, size: tuple[int, int] | None, limits: OcrLimits) -> str:
    """Why an image too large to OCR is refused."""
    shown = f"{size[0]}×{size[1]} điểm ảnh" if size else "quá lớn"
    bound = f"{limits.max_pixels:,}".replace(",", ".")
    return f"{name}: ảnh {shown}, vượt giới hạn {bound} điểm ảnh mỗi trang (ocr_max_pixels), không nhận dạng"


def ocr_image(image: Image, timeout_s: int) -> OcrPage:
    """One grayscale page deskewed, its ruled tables found and painted out, specks filtered away, and
    read by Tesseract (vie) within timeout_s seconds; words inside a table go to their cells."""
    angle = skew_angle(image)
    if abs(angle) >= _SKEW_STEP_DEG / 2:
        image = image.rotate(angle, resample=_bicubic(), expand=True, fillcolor=255)
    grids = find_grids(image)
    image = despeckled(without_rules(image, grids))
    words = _read(image, timeout_s, "--psm 3")
    strip = unread_cells(image, grids, words) if grids else None
    if strip is not None:  # short lone text in narrow cells, which the page's reading passes over
        words += strip.placed(_read(strip.image, timeout_s, "--psm 6"))
    lines, tables, edges = page_layout(words, grids)
    confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
    return OcrPage(lines=tuple(lines), confidence=confidence, skew_deg=angle, tables=tuple(tables),
                   edges=edges)


def _read(image: Image, timeout_s: int, config: str) -> list[Word]:
    """Tesseract's words on an image, within timeout_s seconds."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, lang=_LANG, config=config, timeout=timeout_s,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract's timeout
        raise UnusableInputError(f"nhận dạng quá {timeout_s} giây (ocr_page_timeout_s), bỏ qua") from exc
    except pytesseract.TesseractError as exc:
        raise UnusableInputError(f"Tesseract báo lỗi ({exc.status})") from exc
    return _words(data)


def despeckled(image: Image) -> Image:
    """The page through a median filter, which removes the specks a scanner leaves (read as stray
    marks: "'", "_", ".") and keeps strokes; the filter is smaller on a low-resolution page. Measured
    on bench/ocr.py pages: CER 1.39% unfiltered, 0.91% with a 3-pixel median, 0.52% with 5 (and 5
    inside tables too: 1.1% there against 3.6% with 3)."""
    from PIL import ImageFilter

    size = _MEDIAN_PX if min(image.size) >= _MEDIAN_MIN_SIDE_PX else 3
    return image.filter(ImageFilter.MedianFilter(size))


def _words(data: dict[str, list[Any]]) -> list[Word]:
    """Tesseract's words, without empty ones and doubtful specks of punctuation, stray marks trimmed."""
    words = []
    for i, text in enumerate(data["text"]):
        word, conf = str(text).strip(), float(data["conf"][i])
        word = word.strip(_STRAY)  # a speck or a rule's remnant read at a word's end, or alone
        if not word or conf < 0 or _speck(word, conf):
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        words.append(Word(word, conf, key, int(data["left"][i]), int(data["top"][i]),
                          int(data["width"][i]), int(data["height"][i])))
    return words


def _speck(word: str, confidence: float) -> bool:
    """True for a doubtful word of punctuation only: a speck of dirt on the scan read as a mark."""
    bound = _DASH_CONFIDENCE if word in ("-", "–") else _SPECK_CONFIDENCE
    return confidence < bound and not any(char.isalnum() for char in word)


def skew_angle(image: Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines horizontal: the angle whose row
    profile of a small copy is sharpest (projection-profile deskew)."""
    from PIL import ImageOps

    width = min(_SKEW_WIDTH_PX, image.size[0])
    height = max(1, round(image.size[1] * width / image.size[0]))
    small = ImageOps.invert(image.resize((width, height), _bicubic()))
    steps = round(_SKEW_RANGE_DEG / _SKEW_STEP_DEG)
    best, best_score = 0.0, -1.0
    for step in range(-steps, steps + 1):
        angle = step * _SKEW_STEP_DEG
        rows = small.rotate(angle, resample=_bicubic(), fillcolor=0).resize((1, height), _box())
        profile = list(rows.tobytes())
        score = float(sum((a - b) ** 2 for a, b in itertools.pairwise(profile)))
        if score > best_score:
            best, best_score = angle, score
    return best


def _bicubic() -> Any:
    """Pillow's bicubic resampling filter."""
    from PIL import Image

    return Image.Resampling.BICUBIC


def _box() -> Any:
    """Pillow's box (area-mean) resampling filter."""
    from PIL import Image

    return Image.Resampling.BOX
