"""What an item leaves for the items after and under it: its body for a sibling that continues it,
a run of items that name no body, and its bodies as the lead of the deeper items below it."""

from __future__ import annotations

from crawler.extract.segment import Block, BlockKind
from crawler.extract.subjects import subject_of
from crawler.extract.walkstate import NO_SIBLING, Context, RawTask, Walk


def after_item(block: Block, found: list[RawTask], walk: Walk) -> None:
    """Record what a block read with `found` tasks leaves for the blocks after it."""
    walk.sibling = _item_subject(block, found, walk)
    _note_anonymous(block, found, walk)
    _lead_for_children(block, found, walk)


def _lead_for_children(block: Block, found: list[RawTask], walk: Walk) -> None:
    """An item that names its bodies is the nearest node naming one for the items under it
    ("a) Các bộ X, Y rà soát …" then "- Đánh giá …": the dashes are X's and Y's)."""
    if block.kind is BlockKind.ITEM and found and found[0].lead and subject_of(block.flat, walk):
        walk.push(Context(block.level, lead=found[0].lead, item=True))


def _note_anonymous(block: Block, found: list[RawTask], walk: Walk) -> None:
    """Remember a run of items in which an item with tasks named no body: its later unnamed items
    belong to the heading's addressee (or none), not to whichever sibling last named a body."""
    if block.kind is not BlockKind.ITEM:
        walk.anonymous_level = None
    elif found and not walk.sibling[1] and not walk.inherited().lead:
        walk.anonymous_level = block.level
    elif walk.anonymous_level is not None and block.level < walk.anonymous_level:
        walk.anonymous_level = None


def _item_subject(block: Block, found: list[RawTask], walk: Walk) -> tuple[float, tuple[str, ...]]:
    """What an item leaves for its next sibling: its level and the body it named (or continued);
    any other block ends the run of siblings. Subjects are read only for items that gave tasks."""
    if block.kind is not BlockKind.ITEM:
        return NO_SIBLING
    return (block.level, (subject_of(block.flat, walk) or walk.sibling_lead(block)) if found else ())
