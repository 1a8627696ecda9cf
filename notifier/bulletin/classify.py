"""Send each article to a bulletin section by simple, documented rules an editor can predict.

Rules are tried by section priority (lowest first); the first section whose rule matches wins:

1. the article's source name is one of the section's `sources`;
2. its URL contains one of the section's `url_words` (e.g. "/binh-luan/", "/goc-nhin/");
3. its title contains one of the section's `title_words` (case and tone placement ignored);
4. for a section with `local_names`: the title names a province or centrally-run city (the 63 names
   in use before the mid-2025 merger and the 34 after, since older articles use the old ones), or a
   local level word ("tỉnh", "thành phố", "TP.", "huyện", "quận", "thị xã", "phường", "UBND xã"),
   unless that word only appears in a phrase addressing all localities ("các tỉnh", "tỉnh, thành
   phố", "các địa phương"), which central directives use.

An article no rule matched goes to the section marked `default`. The editor fixes the rest by hand.
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

# In reading order, as the seed bulletins print them; `priority` decides which rule is tried first.
DEFAULT_SECTIONS = (
    SectionRule(
        key="trung-uong",
        title="Tin cải cách hành chính Trung ương",
        default=True,
    ),
    SectionRule(
        key="dia-phuong",
        title="Tin cải cách hành chính địa phương",
        local_names=True,
        priority=2,
    ),
    SectionRule(
        key="phan-tich-binh-luan",
        title="Phân tích - bình luận",
        title_words=("bình luận", "phân tích", "góc nhìn", "xã luận", "diễn đàn"),
        url_words=("/binh-luan", "/goc-nhin", "/xa-luan", "/dien-dan", "/phan-tich", "/y-kien"),
        priority=1,
    ),
)

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


def names_province(title: str) -> bool:
    """Tell whether a title names a province or centrally-run city, capitalized as a name."""
    text = _capitalized(unicodedata.normalize("NFC", title))
    for match in _PROVINCE_RE.finditer(match_key(text)):
        original = text[match.start() : match.end()]
        if original[:1].isupper():
            return True
    return False


def has_local_word(title: str) -> bool:
    """Tell whether a title uses a local-level word outside a phrase that addresses all localities."""
    text = match_key(title) + " "
    for phrase in sorted(COLLECTIVE_PHRASES, key=len, reverse=True):
        text = text.replace(phrase, " ")
    return any(re.search(r"(?<!\w)" + re.escape(word), text) for word in LOCAL_WORDS)


def is_local(title: str) -> bool:
    """Tell whether a title is about one locality (rule 4 of the module docstring)."""
    return names_province(title) or has_local_word(title)


def _matches(rule: SectionRule, article: Article) -> bool:
    """Tell whether one section rule (rules 1-4) takes the article."""
    title = match_key(article.title)
    url = article.url.casefold()
    return (
        article.source in rule.sources
        or any(word.casefold() in url for word in rule.url_words)
        or any(match_key(word) in title for word in rule.title_words)
        or (rule.local_names and is_local(article.title))
    )


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


def classify(article: Article, rules: Sequence[SectionRule]) -> str:
    """The key of the section an article goes to: first matching rule, else the default section."""
    for rule in sorted(rules, key=lambda r: r.priority):
        if not rule.default and _matches(rule, article):
            return rule.key
    return next(rule.key for rule in rules if rule.default)
