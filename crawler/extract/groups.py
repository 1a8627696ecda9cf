"""Collective addressees written out ("các cơ quan, đơn vị liên quan", "Ủy ban nhân dân phường, xã,
đặc khu"): where such a group phrase starts and ends, and the name it is kept under.

A group is kept as written (FORMAT.md), cut before clauses, qualifiers and the next cell, with
administrative abbreviations written out and "các" added where the text leaves it implied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from crawler.extract.normalize import expand_terms, fold, modern_spelling

_LOCAL_LEVELS = r"(?:xã|phường|đặc khu|thị trấn|huyện|quận|thị xã)"
COLLECTIVE_HEAD = re.compile(
    r"^(?:(?:ủy ban nhân dân|ubnd)\s+(?:(?:các|cấp)\b|" + _LOCAL_LEVELS + r"\s*(?:,|và\s))"
    r"|(?:các|bộ,\s*ngành|bộ,\s*cơ quan|sở,\s*ban|cơ quan|đơn vị|địa phương|đối tượng|từng|mỗi)\b)"
)
# "Ủy ban nhân dân phường, xã, đặc khu": the people's committees of every such level.
_LEVEL_LIST = re.compile(r"^(Ủy ban nhân dân)\s+(?=" + _LOCAL_LEVELS + r"\s*(?:,|và))")
# A closing parenthesis that qualifies a group ("(bao gồm cả cơ quan …)", "(mạng lưới địa phương)").
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_TRAILING = re.compile(r"\s+(?i:theo|có trách nhiệm|căn cứ|trong phạm vi|trên địa bàn)\b.*$")
# The home level after a group ("các sở, ngành tỉnh"), dropped; not the group noun itself ("các
# tỉnh"), a listed level ("các huyện, thành phố") nor the capitalized city ("đoàn thể Thành phố").
_HOME_LEVEL = re.compile(r"(?<![Cc]ác)(?<!,)\s+(?:cấp\s+)?(?:tỉnh|thành phố)$")
# Purpose and manner words that end a unit phrase ("cơ quan quản lý để tránh ...").
_CLAUSE_START = re.compile(
    r"\s+(?:để|nhằm|với|khẩn trương|kịp thời|nghiêm túc|tránh|bảo đảm|đảm bảo"
    r"|trong (?:quá trình|thời gian|thời hạn|việc|năm|tháng|quý|tuần|giai đoạn))(?!\w).*$"
)

_NAME_WORDS = frozenset(
    {
        "Trung",
        "ương",
        "Chính",
        "phủ",
        "Nhà",
        "nước",
        "Quốc",
        "hội",
        "Đảng",
        "Mặt",
        "trận",
        "Tổ",
        "quốc",
        "Việt",
        "Nam",
        "Thành",
        "phố",
        "Tỉnh",
        "Ủy",
        "ban",
        "UBND",
        "Bộ",
        "Sở",
        "Ban",
        "Hội",
        "đồng",
        "Nhân",
        "dân",
        "HĐND",
        "Chỉ",  # "các thành viên Ban Chỉ đạo"
        "đạo",
    }
)
_UNIT_NOUN = re.compile(
    r"(?<!\w)(?:bộ|ngành|sở|ban|cơ quan|đơn vị|địa phương|tỉnh|thành phố|xã|phường|ủy ban|ubnd|doanh nghiệp|"
    r"tổ chức|khối|đoàn thể|cơ sở|trường|bệnh viện|ngân hàng|tập đoàn|hội|đảng ủy|tỉnh ủy|thành ủy|"
    r"chuyên gia|đối tượng)(?!\w)"
)


def _cut_at_new_cell(text: str) -> str:
    """Cut a collective phrase where a capitalized non-name word starts another cell's text."""
    words = text.split()
    for i, word in enumerate(words[1:], start=1):
        bare = word.strip(",;.()")
        verb = bare == "Tổ" and fold(" ".join(words[i + 1 : i + 2])) == "chức"  # "Tổ chức triển khai"
        if bare[:1].isupper() and (bare not in _NAME_WORDS or verb):
            return " ".join(words[:i]).strip(" ,;")
    return text



def group_name(text: str, canon: Mapping[str, str]) -> list[str]:
    """Read words between known names as a collective group ("các cơ quan liên quan") in its written
    form, or nothing; `canon` gives the canonical name of a known group."""
    text = re.sub(r"^[\s,;]*(?:và|với|,)?\s*", "", text).strip(" ,;.:")
    text = _QUALIFIER.sub("", _HOME_LEVEL.sub("", _TRAILING.sub("", text))).strip(" ,;.:")
    if not text or not COLLECTIVE_HEAD.match(fold(text)) or len(text.split()) > 16:
        return []
    text = _CLAUSE_START.sub("", text).strip(" ,;.:")
    text = re.sub(r"(?<!\w)(liên quan)(?!\w).*$", r"\1", _cut_at_new_cell(expand_terms(text)))
    known = canon.get(" ".join(fold(text).split()))
    if known:
        return [known]
    if not _UNIT_NOUN.search(fold(text)):
        return []
    text = _LEVEL_LIST.sub(r"\1 các ", re.sub(r"^UBND\b", "Ủy ban nhân dân", modern_spelling(text)))
    if not fold(text).startswith(("các", "từng", "mỗi", "ủy ban")):
        text = "các " + text
    return [text[0].upper() + text[1:]]
