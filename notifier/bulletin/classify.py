"""Send each article to a bulletin section by documented rules an editor can predict, and say why.

Each section's rule looks at the article in two passes. First what the outlet and the headline say,
tried by section priority (lowest first), the first match winning:

1. the article's source name is one of the section's `sources`;
2. its URL contains one of the section's `url_words` (e.g. "/binh-luan/", "/goc-nhin/");
3. the outlet's section (its breadcrumb or meta article:section) contains one of `section_words`
   ("Phân tích – bình luận", "Tin địa phương");
4. its title contains one of the section's `title_words` (case and tone placement ignored);
5. its title opens with one of `issuer_words`, a central body as the subject ("Thủ tướng …",
   "Bộ Nội vụ …");
6. for a section with `local_names`: the title names a province or centrally-run city (as a
   capitalized name), or a local level word ("tỉnh", "thành phố", "TP.", "huyện", "quận", "thị xã",
   "phường", "UBND xã"), unless that word only appears in a phrase addressing all localities ("các
   tỉnh", "tỉnh, thành phố", "các địa phương"), which central directives use.

Then, if nothing matched, the article's text: its text contains one of `text_words` (opinion markers:
"theo tôi", "góc nhìn"), or, for `local_names`, its first sentence names a province or a local level.
An article no rule matched goes to the section marked `default`. The reason of the match is written
in the draft next to the section, so the editor sees why and can move the item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from crawler.config import BulletinSectionConfig
from crawler.errors import BulletinInputError
from crawler.extract.normalize import match_key
from notifier.bulletin.model import Article, SectionRule
from notifier.bulletin.places import PROVINCES

LOCAL_WORDS = ("tỉnh", "thành phố", "tp.", "tp ", "huyện", "quận", "thị xã", "phường", "ubnd xã")
COLLECTIVE_PHRASES = ("các tỉnh", "tỉnh, thành phố", "tỉnh, thành", "các địa phương", "các thành phố")

CENTRAL_ISSUERS = (
    "Thủ tướng", "Phó Thủ tướng", "Chính phủ", "Quốc hội", "Ủy ban Thường vụ Quốc hội", "Văn phòng Chính phủ",
    "Tổng Bí thư", "Chủ tịch nước", "Bộ ", "Bộ trưởng", "Cục ", "Tổng cục", "Ban Chỉ đạo Trung ương",
)
OPINION_WORDS = ("bình luận", "phân tích", "góc nhìn", "xã luận", "diễn đàn", "ý kiến", "quan điểm")

# In reading order, as the seed bulletins print them; `priority` decides which rule is tried first.
DEFAULT_SECTIONS = (
    SectionRule(
        key="trung-uong",
        title="Tin cải cách hành chính Trung ương",
        section_words=("trung ương",),
        issuer_words=CENTRAL_ISSUERS,
        default=True,
        priority=3,
    ),
    SectionRule(
        key="dia-phuong",
        title="Tin cải cách hành chính địa phương",
        section_words=("địa phương",),
        local_names=True,
        priority=2,
    ),
    SectionRule(
        key="phan-tich-binh-luan",
        title="Phân tích - bình luận",
        title_words=OPINION_WORDS[:5],
        section_words=OPINION_WORDS,
        url_words=("/binh-luan", "/goc-nhin", "/xa-luan", "/dien-dan", "/phan-tich", "/y-kien"),
        text_words=("theo tôi", "theo chúng tôi", "tôi cho rằng", "người viết", "góc nhìn của"),
        priority=1,
    ),
)
DEFAULT_REASON = "không khớp quy tắc nào: mục mặc định"


def _name_pattern(names: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching any of `names` as whole words in folded text."""
    alternatives = sorted((re.escape(match_key(name)) for name in names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_PROVINCE_RE = _name_pattern(PROVINCES)


def _capitalized(text: str) -> str:
    """Keep case where it tells a place name from a word ("Hòa Bình" vs "hòa bình"); an all-caps title
    carries no such signal, so it is title-cased first."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        return text.title()
    return text


def province_named(title: str) -> str | None:
    """The province or centrally-run city a title names, capitalized as a name, or None."""
    text = _capitalized(unicodedata.normalize("NFC", title))
    for match in _PROVINCE_RE.finditer(match_key(text)):
        original = text[match.start() : match.end()]
        if original[:1].isupper():
            return original
    return None


def names_province(title: str) -> bool:
    """Tell whether a title names a province or centrally-run city, capitalized as a name."""
    return province_named(title) is not None


def local_word(title: str) -> str | None:
    """The local-level word a title uses outside a phrase that addresses all localities, or None."""
    text = match_key(title) + " "
    for phrase in sorted(COLLECTIVE_PHRASES, key=len, reverse=True):
        text = text.replace(phrase, " ")
    return next((word.strip() for word in LOCAL_WORDS if re.search(r"(?<!\w)" + re.escape(word), text)), None)


def has_local_word(title: str) -> bool:
    """Tell whether a title uses a local-level word outside a phrase that addresses all localities."""
    return local_word(title) is not None


def is_local(title: str) -> bool:
    """Tell whether a title is about one locality (rule 6 of the module docstring)."""
    return names_province(title) or has_local_word(title)


def _local_reason(text: str, where: str) -> str | None:
    """Why a title (or first sentence) is about one locality, or None."""
    province = province_named(text)
    if province:
        return f"{where} nêu địa danh “{province}”"
    word = local_word(text)
    return f"{where} nêu cấp địa phương “{word}”" if word else None


def _found(words: Sequence[str], text: str | None) -> str | None:
    """The first of `words` the text contains (case and tone placement ignored), or None."""
    folded = match_key(text or "")
    return next((word for word in words if match_key(word) in folded), None)


def _first_sentence(text: str) -> str:
    """The first sentence of a text (up to its first full stop)."""
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def headline_reason(rule: SectionRule, article: Article) -> str | None:
    """Why the rule takes the article by its source, URL, outlet section or title (rules 1-6)."""
    url = article.url.casefold()
    title = match_key(article.title)
    if article.source in rule.sources:
        return f"nguồn “{article.source}”"
    word = next((w for w in rule.url_words if w.casefold() in url), None)
    if word:
        return f"địa chỉ bài có “{word}”"
    word = _found(rule.section_words, article.section)
    if word:
        return f"chuyên mục của trang: “{article.section}”"
    word = _found(rule.title_words, article.title)
    if word:
        return f"tiêu đề có “{word}”"
    word = next((w for w in rule.issuer_words if title.startswith(match_key(w))), None)
    if word:
        return f"tiêu đề mở đầu bằng cơ quan trung ương “{word.strip()}”"
    return _local_reason(article.title, "tiêu đề") if rule.local_names else None


def text_reason(rule: SectionRule, article: Article) -> str | None:
    """Why the rule takes the article by its text (the second pass of the module docstring)."""
    word = _found(rule.text_words, article.text or article.summary)
    if word:
        return f"nội dung có “{word}”"
    lead = _first_sentence(article.summary or article.text)
    return _local_reason(lead, "câu mở đầu") if rule.local_names else None


def check_rules(rules: Sequence[SectionRule]) -> None:
    """Refuse a section configuration without exactly one default section or with repeated keys."""
    keys = [rule.key for rule in rules]
    if len(set(keys)) != len(keys):
        raise BulletinInputError(f"Cấu hình mục bản tin có mã mục bị lặp: {', '.join(keys)}.")
    if sum(rule.default for rule in rules) != 1:
        raise BulletinInputError("Cấu hình mục bản tin phải có đúng một mục mặc định (default = true).")


def section_rules(configured: Sequence[BulletinSectionConfig]) -> tuple[SectionRule, ...]:
    """The sections of `[[bulletin.sections]]` as checked rules; the built-in three when none is set."""
    if not configured:
        return DEFAULT_SECTIONS
    rules = tuple(configured)
    check_rules(rules)
    return rules


def classify_with_reason(article: Article, rules: Sequence[SectionRule]) -> tuple[str, str]:
    """The key of the section an article goes to and why: the headline pass, the text pass, else the
    default section."""
    ordered = sorted(rules, key=lambda r: r.priority)
    for judge in (headline_reason, text_reason):
        for rule in ordered:
            reason = judge(rule, article)
            if reason:
                return rule.key, reason
    return next(rule.key for rule in rules if rule.default), DEFAULT_REASON


def classify(article: Article, rules: Sequence[SectionRule]) -> str:
    """The key of the section an article goes to (see `classify_with_reason`)."""
    return classify_with_reason(article, rules)[0]
