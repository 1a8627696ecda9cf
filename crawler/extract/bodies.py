"""Bodies the gazetteer does not list, read by their head noun and extent (an open vocabulary).

Many leads are departments, agencies, enterprises and associations ("Cục …", "Trung tâm …",
"Ban Quản lý dự án …", "Tổng công ty …", "Liên hiệp các Hội …"). Where the gazetteer knows a name
it gives the canonical form; where it does not, a phrase that opens with an organization's head
noun and stays short is kept as written (modern spelling, markup and list marks removed).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from crawler.extract.normalize import MARKUP, clean_text, expand_terms, fold, modern_spelling

_HEAD_NOUNS = (
    "ban quản lý",
    "bảo hiểm",
    "báo",
    "bệnh viện",
    "bộ chỉ huy",
    "bộ đội",
    "bộ",
    "cảng vụ",
    "chi cục",
    "cơ quan",
    "công an",
    "công đoàn",
    "công ty",
    "cục",
    "đài",
    "đại học",
    "đảng ủy",
    "đoàn",
    "hiệp hội",
    "học viện",
    "hội đồng",
    "hội",
    "kho bạc",
    "kiểm toán",
    "liên đoàn",
    "liên hiệp",
    "mặt trận",
    "ngân hàng",
    "nhà xuất bản",
    "phòng",
    "quỹ",
    "sở",
    "tập đoàn",
    "thanh tra",
    "thành ủy",
    "thông tấn xã",
    "tỉnh ủy",
    "tòa án",
    "tổ công tác",
    "tổng công ty",
    "tổng liên đoàn",
    "trung ương đoàn",
    "tỉnh đoàn",
    "thành đoàn",
    "tổng cục",
    "trung tâm",
    "trường",
    "ủy ban",
    "văn phòng",
    "viện kiểm sát",
    "viện",
    "vụ",
    "ban",
)
_HEAD = re.compile(r"^(?:" + "|".join(re.escape(h) for h in _HEAD_NOUNS) + r")(?!\w)")
_PIECES = re.compile(r"\s*(?:;|\n\s*[-–+•]\s*|^\s*[-–+•]\s*)\s*")
_MAX_WORDS = 14
# Phrases that open with a head noun but name an act, a thing or a person ("Ban hành", "Bộ trưởng").
_NOT_BODY = re.compile(
    r"^(?:bộ trưởng|thủ trưởng|chủ tịch|giám đốc|trưởng ban"  # a person's title: the body follows it
    r"|ban hành|ban bố|bộ (?:máy|phận|chỉ số|tiêu chí|công cụ|luật|hồ sơ|dữ liệu)|hội (?:nghị|thảo|nhập)"
    r"|báo cáo|đoàn kết|phòng(?:,)? chống|phòng ngừa|quỹ đất|vụ việc|cục bộ|trường hợp|đài thọ)(?!\w)"
)
# Words that show a phrase is a clause (work being described), not a body's name.
_CLAUSE = re.compile(
    r"(?<!\w)(?:chủ trì|phối hợp|thực hiện|triển khai|xây dựng|tổ chức|hướng dẫn|báo cáo|có trách nhiệm|"
    r"theo dõi|kiểm tra|tham mưu|đề xuất|ban hành|để|nhằm|được|đã|đang|sẽ)(?!\w)"
)

# A role noun named by its part in the work ("Cơ quan phối hợp", "Đơn vị chủ trì"): a body, not a clause.
_NAME_END = re.compile(r"\s+xây dựng$")  # "… Vật liệu xây dựng", "Viện Kinh tế xây dựng"
_ROLE = re.compile(r"^(?:cơ quan|đơn vị)\s+(?:chủ trì|phối hợp|thực hiện)(?:\s|$)")


def is_body_name(phrase: str) -> bool:
    """Tell whether a phrase reads as an organization's name: a head noun, short, no clause."""
    text = clean_text(phrase).strip(" .,;:")
    low = fold(text)
    words = text.split()
    return (
        bool(words)
        and len(words) <= _MAX_WORDS
        and text[:1].isupper()
        and bool(_HEAD.match(low))
        and not _NOT_BODY.match(low)
        and not _CLAUSE.search(_NAME_END.sub("", _ROLE.sub("", low)))
        and len(words) > len(_HEAD.match(low).group().split())  # type: ignore[union-attr]
    )


# Head nouns of departments and institutes that also open ordinary words ("vụ việc", "viện dẫn"):
# taken as bodies only where the next word is capitalized ("Vụ Tổ chức cán bộ", "Viện Chiến lược").
_CAPITALIZED_HEAD = re.compile(
    r"^(?:Vụ|Viện|Cục|Tổng cục|Học viện|Trường|Trung tâm|Ban|Văn phòng)\s+(?=[A-ZĐÀ-Ỹ])"
)


def only_names_body(text: str, verbs: re.Pattern[str]) -> bool:
    """Tell whether a list item is only a body's name ("Vụ Tổ chức cán bộ;", "Cục Kết cấu hạ tầng
    xây dựng;"): a head noun, short, and no verb outside the capitalized words of the name."""
    text = clean_text(text).strip(" .,;:")
    words = text.split()
    if not words or len(words) > _MAX_WORDS:
        return False
    short_headed = bool(_HEAD.match(fold(text))) and len(words) <= 6
    if not (_CAPITALIZED_HEAD.match(text) or is_body_name(text) or short_headed):
        return False
    plain = " ".join(w if i == 0 or not w[:1].isupper() else "X" for i, w in enumerate(words))
    return not verbs.search(_NAME_END.sub("", fold(plain)), len(words[0]))


def as_written(phrase: str) -> str:
    """A body's name as written: markup and list marks removed, modern spelling, one line."""
    text = clean_text(phrase).strip(" .,;:-–")
    return expand_terms(modern_spelling(text))


def cell_bodies(cell: str, resolve: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
    """The bodies of a unit cell ("Sở Công Thương; Ban Quản lý khu Kinh tế"): each piece by the
    gazetteer where it knows the piece, else as written where the piece reads as a name."""
    names: list[str] = []
    for piece in _PIECES.split(MARKUP.sub("", cell)):
        piece = piece.strip(" .,;:")
        if not piece:
            continue
        known = resolve(piece)
        if known:
            names += known
        elif is_body_name(piece) or (_looks_named(piece) and not _CLAUSE.search(fold(piece))):
            names.append(as_written(piece))
    return tuple(dict.fromkeys(names))


def _looks_named(piece: str) -> bool:
    """Tell whether a short piece of a unit cell is capitalized like a name."""
    words = piece.split()
    return 2 <= len(words) <= _MAX_WORDS and piece[:1].isupper()


def is_unit_title(title: str) -> bool:
    """Tell whether a section title is only a body's name ("A. BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG")."""
    low = fold(clean_text(title))
    return len(low.split()) <= _MAX_WORDS and bool(_HEAD.match(low)) and not _CLAUSE.search(low)


_SPLIT = re.compile(r"\s*[,;]\s*|\s+và\s+")


def split_bodies(phrase: str) -> list[str]:
    """Cut a list of bodies at commas, semicolons and "và" where the next piece opens with a head
    noun ("Sở Tài chính, Ban quản lý Khu Kinh tế, UBND cấp xã và các sở")."""
    pieces: list[str] = []
    start = 0
    for m in _SPLIT.finditer(phrase):
        if _HEAD.match(fold(phrase[m.end() :])) or fold(phrase[m.end() :]).startswith(("các ", "ubnd")):
            pieces.append(phrase[start : m.start()])
            start = m.end()
    pieces.append(phrase[start:])
    return [p.strip(" ,;.:") for p in pieces if p.strip(" ,;.:")]


def heading_body_name(text: str) -> bool:
    """Tell whether a section heading is one body's name: a head noun, short, not a sentence."""
    clean = clean_text(text)
    low = fold(clean)
    return (
        2 <= len(clean.split()) <= _MAX_WORDS
        and clean[:1].isupper()
        and bool(_HEAD.match(low))
        and not _NOT_BODY.match(low)
        and not clean.endswith((".", ";", ","))
    )
