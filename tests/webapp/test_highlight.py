"""Marking where tasks were read: by line and column, by the extractor's words, across wrapped lines."""

from __future__ import annotations

import re

from crawler.extract.normalize import match_key
from web.highlight import Mark, Placed, marked_text, spans

TEXT = ("Kính gửi: các sở <ngành>\n"
        "1. Sở Tài chính chủ trì rà soát\n"
        "   ngân sách quý IV; báo cáo trước 15/11/2025.\n"
        "2. Sở Nội vụ chủ trì tổng hợp biên chế.\n")


def _words(action: str) -> tuple[str, ...]:
    """The extractor's words of an action (as tasks.action_key keeps them)."""
    return tuple(re.findall(r"\w+", match_key(action)))


def test_a_mark_starts_at_the_line_and_runs_over_the_wrapped_words() -> None:
    action = "Sở Tài chính chủ trì rà soát ngân sách quý IV; báo cáo trước 15/11/2025"
    placed = Placed(7, 2, 3, _words(action))
    [mark] = spans(TEXT, [placed])
    assert TEXT[mark.start:mark.end] == ("Sở Tài chính chủ trì rà soát\n   ngân sách quý IV; báo cáo trước "
                                         "15/11/2025")


def test_a_task_without_a_line_is_found_by_its_words_and_others_stay_unmarked() -> None:
    found = Placed(8, 0, 0, _words("Sở Nội vụ chủ trì tổng hợp biên chế"))
    missing = Placed(9, 0, 0, ("không", "có"))
    [mark] = spans(TEXT, [found, missing])
    assert (TEXT[mark.start:mark.end], mark.task_ids) == ("Sở Nội vụ chủ trì tổng hợp biên chế", (8,))


def test_overlapping_marks_join_and_the_text_is_escaped() -> None:
    same_row = [Placed(1, 2, 0, _words("1 Sở Tài chính")), Placed(2, 2, 3, _words("Sở Tài chính"))]
    [mark] = spans(TEXT, same_row)
    assert mark.task_ids == (1, 2)
    html = str(marked_text(TEXT, [Mark(0, 4, (5,))]))
    assert html.startswith('<mark class="nv"><span class="nv-anchor" id="nv-5"></span>'
                           '<a class="nv-tag" href="#task-5">#5</a> Kính</mark>')
    assert "&lt;ngành&gt;" in html
