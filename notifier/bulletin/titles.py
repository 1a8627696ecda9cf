"""Headlines as the seed bulletins write them: a title keeps the capitals its source gave it, and only
an ALL-CAPS headline is re-cased, by a rule that knows Vietnamese.

The rule lower-cases the headline, then gives capitals back to:

1. the first word, and the first word after a colon or an opening quote ("Bắc Ninh: Tỉnh đầu tiên");
2. acronyms: a word that cannot be a Vietnamese syllable (BHXH, CCHC, UBND, HĐND, PAR, INDEX, SIPAS,
   KPI, TP.) or that holds a digit (60/CĐ-TTG) stays upper case;
3. proper names: provinces and centrally-run cities and the central institutions (Chính phủ, Quốc hội,
   Trung ương, Ban Chỉ đạo…), as `NAMES` spells them;
4. words the article's own text capitalizes inside its sentences, next to the same neighbour as in the
   headline ("Thủ tướng Chính phủ", "Hồ Đức Phớc", "Đại Lộc"): the text's spelling is the best
   evidence of how its names are written.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from notifier.bulletin.places import COMMON_WORD_NAMES, PROVINCES

INSTITUTIONS = (
    "Chính phủ",
    "Quốc hội",
    "Trung ương",
    "Bộ Chính trị",
    "Ban Bí thư",
    "Ban Chỉ đạo",
    "Thủ tướng",
    "Phó Thủ tướng",
    "Văn phòng Chính phủ",
    "Mặt trận Tổ quốc",
    "Việt Nam",
    "Hoa Kỳ",
)
NAMES = (*(p for p in PROVINCES if p not in COMMON_WORD_NAMES), *INSTITUTIONS)
_WORD = re.compile(r"[^\W_]+(?:\.(?=[^\W_]))?|[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
)
_FINALS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "i", "o", "u", "y", "")
_VOWELS = "aăâeêioôơuưy"
_SYLLABLE = re.compile(
    "^(?:" + "|".join(_INITIALS) + ")?[" + _VOWELS + "]{1,3}(?:" + "|".join(f for f in _FINALS if f) + ")?$"
)
_SENTENCE_OPENERS = ".!?:;\"“'‘(«–-"
_QUOTES = "\"“'‘«("


def is_all_caps(title: str) -> bool:
    """Tell whether every cased letter of a title is a capital (and it has a few of them)."""
    letters = [ch for ch in title if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters if ch.lower() != ch.upper())


def _base(word: str) -> str:
    """A word lower-cased with its tone marks removed (vowel shapes ă, â, ê, ô, ơ, ư and đ kept)."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in tones))


def is_syllable(word: str) -> bool:
    """Tell whether a word can be written as one Vietnamese syllable (initial, vowels, final)."""
    return bool(_SYLLABLE.match(_base(word)))


def is_acronym(word: str) -> bool:
    """Tell whether an upper-case word is an acronym to keep as is (rule 2 of the module docstring)."""
    letters = word.strip(".,;:!?()\"“”'‘’«»")
    if not letters:
        return False
    if any(ch.isdigit() for ch in letters):
        return True
    parts = [part for part in re.split(r"[.\-/]", letters) if part]
    return any(not is_syllable(part) for part in parts)


def _capitalize(word: str) -> str:
    """The word with its first letter upper-cased and the rest unchanged."""
    for index, ch in enumerate(word):
        if ch.isalpha():
            return word[:index] + ch.upper() + word[index + 1 :]
    return word


def _words(text: str) -> list[str]:
    """The lower-cased words of a text, punctuation dropped."""
    return [match.group(0).lower() for match in _WORD.finditer(text)]


def _name_positions(words: list[str], names: Iterable[str]) -> dict[int, str]:
    """Index of a headline word -> its spelling inside one of `names` found in the word sequence."""
    found: dict[int, str] = {}
    for name in sorted(names, key=len, reverse=True):
        spelled = name.replace("-", " ").split()
        keys = [w.lower() for w in spelled]
        for start in range(len(words) - len(keys) + 1):
            if words[start : start + len(keys)] == keys and start not in found:
                found.update({start + k: spelled[k] for k in range(len(keys))})
    return found


def _text_evidence(text: str) -> Counter[tuple[str, str, int]]:
    """How the text writes each pair of neighbouring words inside its sentences: (first, second,
    which of the two is capitalized: 0 first, 1 second) -> count; -1 counts pairs in lower case."""
    evidence: Counter[tuple[str, str, int]] = Counter()
    for block in re.split(r"\n", text):
        matches = list(_WORD.finditer(block))
        for left, right in pairwise(matches):
            before = block[: left.start()].rstrip()
            opens_sentence = not before or before[-1] in _SENTENCE_OPENERS
            pair = (left.group(0).lower(), right.group(0).lower())
            for side, match in ((0, left), (1, right)):
                word = match.group(0)
                if (side == 0 and opens_sentence) or (word.isupper() and len(word) > 1):
                    continue
                evidence[(*pair, side if word[:1].isupper() else -1 - side)] += 1
    return evidence


def _capitalized_in_text(words: list[str], index: int, evidence: Counter[tuple[str, str, int]]) -> bool:
    """Tell whether the text mostly capitalizes this word next to one of its headline neighbours."""
    pairs = []
    if index > 0:
        pairs.append((words[index - 1], words[index], 1))
    if index + 1 < len(words):
        pairs.append((words[index], words[index + 1], 0))
    return any(evidence[(a, b, side)] > evidence[(a, b, -1 - side)] for a, b, side in pairs)


def headline_case(title: str, text: str = "") -> str:
    """A headline with the source's capitals; an ALL-CAPS one re-cased by the module's rules."""
    if not is_all_caps(title):
        return title
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", title))
    words = [w for token in tokens for w in _words(token)]
    names = _name_positions(words, NAMES)
    evidence = _text_evidence(unicodedata.normalize("NFC", text))
    out: list[str] = []
    position = 0
    opens = True
    for token in tokens:
        lowered = token.lower()
        matches = list(_WORD.finditer(lowered))
        if is_acronym(token):
            out.append(token)
        else:
            opens = opens or lowered[:1] in _QUOTES
            for offset, match in reversed(list(enumerate(matches))):
                index = position + offset
                word = names.get(index, match.group(0))
                if (opens and offset == 0) or _capitalized_in_text(words, index, evidence):
                    word = _capitalize(word)
                lowered = lowered[: match.start()] + word + lowered[match.end() :]
            out.append(lowered)
        position += len(matches)
        opens = token.endswith(":")
    return " ".join(out)
