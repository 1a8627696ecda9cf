"""Drop near-duplicate articles: the same story reprinted by several sites in one week.

Two articles are the same story when the Jaccard similarity of their word 3-shingles (over title and
summary, compared case- and tone-placement-insensitively) reaches a threshold (0.5 by default: a
reprint with a new headline and a trimmed lead still shares most shingles, two different stories about
the same programme share few). The earliest-published copy is kept (the original, usually), and the
URLs of the copies dropped are kept with it so the editor can see them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.extract.normalize import match_key
from notifier.bulletin.model import Article

DEFAULT_THRESHOLD = 0.5
SHINGLE_WORDS = 3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Story:
    """An article kept for the bulletin, with the URLs of the near-duplicates dropped in its favour."""

    article: Article
    duplicates: tuple[str, ...]


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[tuple[str, ...]]:
    """The set of `size`-word shingles of a text (its words alone when shorter than `size`)."""
    words = _WORD.findall(match_key(text))
    if len(words) < size:
        return frozenset((word,) for word in words)
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(left: frozenset[tuple[str, ...]], right: frozenset[tuple[str, ...]]) -> float:
    """Jaccard similarity of two shingle sets (0 for two empty sets: nothing says they are alike)."""
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def drop_near_duplicates(articles: Sequence[Article], threshold: float = DEFAULT_THRESHOLD) -> list[Story]:
    """Keep one article per story, earliest published first (then lowest id), in that order."""
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    kept: list[tuple[Article, frozenset[tuple[str, ...]], list[str]]] = []
    for article in ordered:
        signature = shingles(f"{article.title} {article.summary}")
        original = next((k for k in kept if jaccard(k[1], signature) >= threshold), None)
        if original is None:
            kept.append((article, signature, []))
        else:
            original[2].append(article.url)
    return [Story(article=a, duplicates=tuple(dups)) for a, _, dups in kept]
