"""Second reading of the cells a page's reading left empty: Tesseract's page segmentation passes over
short, lone text in a narrow cell (a row's number "1", a section's "II"), so the cells with ink but no
word are cut out, stacked on one strip and read in a single extra call, their words put back in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.documents.ocr_grid import PageGrid
from crawler.documents.ocr_layout import Word

if TYPE_CHECKING:
    from PIL.Image import Image

_INSET_PX = 8  # kept clear of the cell's painted-out rules
_MARGIN_PX = 12
_GAP_PX = 60  # white between two pieces, wider than a paragraph break
_INK = 128


@dataclass(frozen=True)
class _Piece:
    """One cell's ink on the strip: its rows on the strip and the page position of its top left."""

    top: int
    bottom: int
    page_x: int
    page_y: int


@dataclass(frozen=True)
class CellStrip:
    """The unread cells' ink stacked on one image, and where each piece came from."""

    image: Image
    pieces: tuple[_Piece, ...]

    def placed(self, words: Sequence[Word]) -> list[Word]:
        """The strip's words moved back to their place on the page (each keeps its own line)."""
        out = []
        for word in words:
            middle = word.top + word.height / 2
            piece = next((p for p in self.pieces if p.top <= middle < p.bottom), None)
            if piece is None:
                continue
            block, par, line = word.line
            out.append(Word(word.text, word.confidence, (10_000 + block, par, line),
                            word.left - _MARGIN_PX + piece.page_x, word.top - piece.top + piece.page_y,
                            word.width, word.height))
        return out


def unread_cells(image: Image, grids: Sequence[PageGrid], words: Sequence[Word]) -> CellStrip | None:
    """The strip of the table cells that hold ink but no word read, or None when there are none."""
    from PIL import Image as PilImage
    from PIL import ImageOps

    read = {(g, grid.cell_at(w.left + w.width / 2, w.top + w.height / 2))
            for w in words for g, grid in enumerate(grids)}
    crops: list[tuple[Image, int, int]] = []
    for g, grid in enumerate(grids):
        for index, cell in enumerate(grid.cells):
            if (g, index) in read:
                continue
            x1, y1, x2, y2 = cell.box
            if x2 - x1 <= 2 * _INSET_PX or y2 - y1 <= 2 * _INSET_PX:
                continue
            crop = image.crop((x1 + _INSET_PX, y1 + _INSET_PX, x2 - _INSET_PX, y2 - _INSET_PX))
            ink = ImageOps.invert(crop).point(lambda v: 255 if v > 255 - _INK else 0).getbbox()
            if ink is not None:
                crops.append((crop.crop(ink), x1 + _INSET_PX + ink[0], y1 + _INSET_PX + ink[1]))
    if not crops:
        return None
    width = max(c.size[0] for c, _, _ in crops) + 2 * _MARGIN_PX
    height = sum(c.size[1] + _GAP_PX for c, _, _ in crops) + _GAP_PX
    strip = PilImage.new("L", (width, height), 255)
    pieces = []
    y = _GAP_PX
    for crop, page_x, page_y in crops:
        strip.paste(crop, (_MARGIN_PX, y))
        pieces.append(_Piece(y - _GAP_PX // 2, y + crop.size[1] + _GAP_PX // 2, page_x, page_y))
        y += crop.size[1] + _GAP_PX
    return CellStrip(strip, tuple(pieces))
