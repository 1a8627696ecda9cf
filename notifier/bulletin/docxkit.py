"""Small python-docx helpers the bulletin and the reports share: A4 pages, a Vietnamese font on every
style, a running footer with page numbers, bookmarks, internal and external hyperlinks, and XML-safe
text.

python-docx escapes text itself (a scraped "<script>" stays literal text), but refuses characters XML
cannot hold (NUL, most C0 controls), which scraped pages do carry: `xml_text` drops them first.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
LINK_COLOR = "0563C1"
STYLE_SIZES = {
    "Normal": BODY_SIZE,
    "Title": Pt(20),
    "Heading 1": Pt(15),
    "Heading 2": Pt(13.5),
    "Heading 3": Pt(13),
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold removed (scraped pages carry some)."""
    return _NOT_XML.sub("", text)


def set_page(document: DocxDocument, landscape: bool = False) -> None:
    """A4 pages with the margins of Vietnamese administrative documents (left 30 mm, others 20 mm)."""
    for section in document.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.page_width, section.page_height = width, height
        section.left_margin = Mm(30)
        section.right_margin = section.top_margin = section.bottom_margin = Mm(20)


def set_fonts(document: DocxDocument) -> None:
    """Set Times New Roman (all scripts), black text and the Vietnamese language on the styles used."""
    for name, size in STYLE_SIZES.items():
        style = document.styles[name]
        font = style.font
        font.name = FONT
        font.size = size
        font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), "vi-VN")
        rpr.append(language)


def add_bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    """Wrap a paragraph's content in a bookmark that internal hyperlinks can jump to."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    properties = paragraph._p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def add_link(
    paragraph: Paragraph,
    text: str,
    *,
    url: str | None = None,
    anchor: str | None = None,
    size: Pt | None = None,
) -> None:
    """Append a blue, underlined hyperlink run: to an external `url` or to a bookmark `anchor`."""
    link = OxmlElement("w:hyperlink")
    if url is not None:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    else:
        link.set(qn("w:anchor"), anchor or "")
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), LINK_COLOR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.extend([color, underline])
    if size is not None:
        size_element = OxmlElement("w:sz")
        size_element.set(qn("w:val"), str(int(size.pt * 2)))
        properties.append(size_element)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = xml_text(text)
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def add_page_footer(document: DocxDocument, text: str) -> None:
    """A running footer on every page: `text` and "Trang N/M" with PAGE and NUMPAGES fields."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(xml_text(text) + " – Trang ").font.size = Pt(10)
    _field(paragraph.add_run(), "PAGE")
    paragraph.add_run("/").font.size = Pt(10)
    _field(paragraph.add_run(), "NUMPAGES")


def _field(run: Run, code: str) -> None:
    """Turn an empty run into a Word field (PAGE, NUMPAGES) that LibreOffice and Word fill in."""
    run.font.size = Pt(10)
    for kind, value in (("begin", None), ("instr", code), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {value} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = value
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
