"""Roles written beside the work rather than as its subject: labels inside an item ("… Cơ quan chủ
trì: Sở X; cơ quan phối hợp: Sở Y; thời gian: Quý II/2026"), a parenthesis ("(Sở X chủ trì, …)") and
role marks in a unit cell ("Sở X (chủ trì), Sở Y (phối hợp)", "Chủ trì: Sở X; phối hợp: Sở Y").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.normalize import fold


@dataclass(frozen=True)
class RoleText:
    """The texts naming the lead and support bodies, and where the first role label begins (the
    work is written before it; -1 when the roles are marked in place)."""

    lead: str
    support: str
    start: int = -1


# "Cơ quan chủ trì:", "Đơn vị thực hiện:", "Chủ trì:", "Trách nhiệm thực hiện:", "cơ quan phối hợp:".
_LABEL = re.compile(
    r"(?<!\w)(?:(?:cơ quan|đơn vị)\s+(?P<unit_role>chủ trì|thực hiện|phối hợp|tham mưu)"
    r"(?:\s+(?:thực hiện|tham mưu))*"
    r"|(?:^|(?<=[.;\n]\s)|(?<=[.;\n]))(?P<bare_role>chủ trì|phối hợp|trách nhiệm thực hiện))\s*:\s*"
)
# A label that ends a role's value: another role label or the deadline's.
_NEXT_FIELD = re.compile(
    r"[;.,]?\s*(?:(?:cơ quan|đơn vị)\s+(?:chủ trì|thực hiện|phối hợp|tham mưu)|chủ trì\s*:|phối hợp\s*:"
    r"|thời gian|thời hạn|tiến độ|sản phẩm|kết quả)|[;.]\s*$|[.;]\s+(?=[^\W\d_])"
)
# "(Sở Xây dựng chủ trì, hoàn thành trước …)": the body before "chủ trì" inside a parenthesis.
_PAREN_LEAD = re.compile(r"\((?P<lead>[^()]{3,150}?)\s+chủ trì(?P<rest>[^()]*)\)")
_PAREN_SUPPORT = re.compile(r"phối hợp(?:\s+với)?\s+(?P<support>[^();,]{3,150})")
# "Sở X (chủ trì)", "Sở Y (phối hợp)": role marks after each body of a cell.
_ROLE_MARK = re.compile(r"\s*\((?P<role>chủ trì|phối hợp)\)\s*")


def labelled_roles(text: str) -> RoleText | None:
    """The roles an item's own labels or parenthesis give, if it writes any."""
    if ":" not in text and "(" not in text:
        return None  # every label ends with a colon; read on every task piece, so tested first
    low = fold(text)
    labels = list(_LABEL.finditer(low))
    if labels:
        lead, support = _label_values(text, low, labels)
        if lead or support:
            return RoleText(lead, support, labels[0].start())
    paren = _PAREN_LEAD.search(text)
    if paren:
        joins = _PAREN_SUPPORT.search(paren.group("rest"))
        return RoleText(paren.group("lead").strip(), joins.group("support").strip() if joins else "")
    return None


def _label_values(text: str, low: str, labels: list[re.Match[str]]) -> tuple[str, str]:
    """The lead and support values of role labels, each running to the next field or sentence."""
    lead: list[str] = []
    support: list[str] = []
    for label in labels:
        stop = _NEXT_FIELD.search(low, label.end())
        value = text[label.end() : stop.start() if stop else len(text)].strip(" ;.,")
        role = label.group("unit_role") or label.group("bare_role")
        (support if role == "phối hợp" else lead).append(value)
    return "; ".join(v for v in lead if v), "; ".join(v for v in support if v)


def marked_roles(cell: str) -> RoleText | None:
    """The roles a unit cell marks body by body ("Sở X (chủ trì), Sở Y (phối hợp)") or labels
    ("Chủ trì: Sở X; phối hợp: Sở Y"), if it does."""
    if _ROLE_MARK.search(fold(cell)):
        lead: list[str] = []
        support: list[str] = []
        for piece in _marked_pieces(cell):
            mark = _ROLE_MARK.search(fold(piece))
            name = _ROLE_MARK.sub(" ", piece).strip(" ;,.")
            supports = mark.group("role") == "phối hợp" if mark else bool(lead)  # "Sở X (chủ trì); các sở …"
            (support if supports else lead).append(name)
        return RoleText("; ".join(lead), "; ".join(support))
    labelled = labelled_roles(cell)
    return labelled if labelled is not None and labelled.start == 0 else None


def _marked_pieces(cell: str) -> list[str]:
    """Cut a cell at the role marks: each piece ends with its own mark; the rest is one piece."""
    pieces: list[str] = []
    last = 0
    for mark in _ROLE_MARK.finditer(fold(cell)):
        pieces.append(cell[last : mark.end()])
        last = mark.end()
    tail = cell[last:].strip(" ;,.")
    return [*pieces, tail] if tail else pieces
