"""Routing (issue 13, item 1): a group's task reaches each configured recipient whose unit belongs to
the group, once, marked "giao chung"; a name the gazetteer cannot place goes to the operator's list
("cần xác định đơn vị"), never to a digest of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notify_helpers import AS_OF, add_document, add_task
from sqlalchemy.orm import Session

from crawler.config import ChannelConfig, Config, RecipientConfig, UnitConfig
from crawler.membership import Placement, group_members, placement
from crawler.storage.recipients import sync_config
from crawler.storage.units import default_directory, unit_resolver
from notifier.channels.console import FileChannel
from notifier.outbox import deliver_pending, enqueue_digests
from service.previews import units_with_digests
from service.status import status_lines

NOW = dt.datetime(2025, 10, 1, 7, 30, tzinfo=dt.UTC)
MINISTRIES = ("Bộ Tài chính", "Bộ Công an", "Bộ Y tế")
PROVINCES = ("Ủy ban nhân dân tỉnh Nghệ An", "Ủy ban nhân dân thành phố Hà Nội")
GROUP_TASK = "Rà soát thủ tục hành chính nội bộ"
UNPLACED_TASK = "Bố trí kinh phí chuyển đổi số"


def _config(
    tmp_path: Path, extra: tuple[RecipientConfig, ...] = (), units: tuple[UnitConfig, ...] = ()
) -> Config:
    """One recipient per ministry and per province, each reading its own file, plus `extra`."""
    recipients = tuple(
        RecipientConfig(unit, (unit,), (ChannelConfig("file", str(tmp_path / f"{index}.txt")),))
        for index, unit in enumerate((*MINISTRIES, *PROVINCES))
    )
    return Config(recipients=(*recipients, *extra), units=units)


def _seed(session: Session, config: Config) -> None:
    """The config synced into the database (as every command does), and one task per kind of name."""
    sync_config(session, config.units, config.recipients, default_directory())
    doc = add_document(session, "46-TB/TGV", "http://127.0.0.1/vb?docid=46")
    add_task(session, "g", GROUP_TASK, ["Các bộ, ngành"], dt.date(2025, 10, 5), document=doc)
    add_task(session, "u", UNPLACED_TASK, ["Ủy ban nhân dân tỉnh"], dt.date(2025, 10, 5), document=doc)
    add_task(session, "p", "Báo cáo Chính phủ", ["Các tỉnh, thành phố trực thuộc Trung ương"],
             dt.date(2025, 10, 6), document=doc)
    session.commit()


def _delivered(session: Session, config: Config) -> dict[str, str]:
    """Queue and deliver the daily digests; what each recipient's file says, by recipient."""
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    assert deliver_pending(session, {"file": FileChannel()}, NOW).failed == 0
    texts = {}
    for recipient in config.recipients:
        path = Path(recipient.channels[0].address)
        texts[recipient.name] = path.read_text(encoding="utf-8") if path.exists() else ""
    return texts


def test_a_group_task_reaches_each_member_once_and_no_one_else(session: Session, tmp_path: Path) -> None:
    """Three ministries and two provinces: the "Các bộ, ngành" task reaches each ministry once, marked
    shared, with the group as written; no province gets it; "Ủy ban nhân dân tỉnh" with no province
    reaches nobody's digest and waits on the operator's list; no digest is addressed to a group."""
    config = _config(tmp_path)
    _seed(session, config)
    texts = _delivered(session, config)
    for ministry in MINISTRIES:
        assert texts[ministry].count(GROUP_TASK) == 1, ministry
        item = texts[ministry].split(GROUP_TASK, 1)[0].rsplit("\n", 1)[-1]
        assert "[Giao chung]" in item
        assert "Chủ trì: Các bộ, ngành" in texts[ministry]
        assert "Báo cáo Chính phủ" not in texts[ministry]
    for province in PROVINCES:
        assert GROUP_TASK not in texts[province] and "Báo cáo Chính phủ" in texts[province], province
    assert not any(UNPLACED_TASK in text for text in texts.values())
    assert all(text.startswith("-----") for text in texts.values())  # every recipient got its digest
    lines = status_lines(session, config, None, NOW)
    heading = next(i for i, line in enumerate(lines) if line.startswith("Cần xác định đơn vị"))
    waiting = "  - Ủy ban nhân dân tỉnh: 1 nhiệm vụ đang mở, 1 nhiệm vụ chưa đến đơn vị nào"
    assert lines[heading + 1:] == [waiting]
    assert units_with_digests(session) == []  # no concrete unit is named: no digest of its own at all


def test_a_recipient_of_several_member_units_gets_the_task_once(session: Session, tmp_path: Path) -> None:
    """A recipient following two ministries (and one of them by an alias) reads the group's task once."""
    both = RecipientConfig("Văn phòng liên bộ", ("Bộ Tài chính", "Bộ CA", "Bộ Công an"),
                           (ChannelConfig("file", str(tmp_path / "lien-bo.txt")),))
    config = _config(tmp_path, (both,))
    _seed(session, config)
    texts = _delivered(session, config)
    assert texts["Văn phòng liên bộ"].count(GROUP_TASK) == 1


def test_a_unit_named_on_the_task_is_its_own_task_not_a_shared_one(session: Session, tmp_path: Path) -> None:
    """A task for "Bộ Tài chính" and "Các bộ, ngành" is the ministry's own (no "giao chung" marker)."""
    config = _config(tmp_path)
    _seed(session, config)
    add_task(session, "own", "Chủ trì tổng hợp báo cáo", ["Bộ Tài chính"], dt.date(2025, 10, 4),
             support=["Các bộ, ngành"])
    session.commit()
    texts = _delivered(session, config)
    own = texts["Bộ Tài chính"].split("Chủ trì tổng hợp báo cáo", 1)[0].rsplit("\n", 1)[-1]
    assert "[Giao chung]" not in own and "Chủ trì tổng hợp báo cáo" in texts["Bộ Tài chính"]
    assert texts["Bộ Công an"].count("Chủ trì tổng hợp báo cáo") == 1


def test_an_alias_places_a_name_for_the_operator(session: Session, tmp_path: Path) -> None:
    """Giving "Ủy ban nhân dân tỉnh" as an alias of the province's committee in [[units]], as the
    operator's list says, routes its tasks there and empties the list."""
    units = (UnitConfig("Ủy ban nhân dân tỉnh Nghệ An", ("Ủy ban nhân dân tỉnh",)),)
    config = _config(tmp_path, units=units)
    _seed(session, config)
    texts = _delivered(session, config)
    assert texts["Ủy ban nhân dân tỉnh Nghệ An"].count(UNPLACED_TASK) == 1
    item = texts["Ủy ban nhân dân tỉnh Nghệ An"].split(UNPLACED_TASK, 1)[0].rsplit("\n", 1)[-1]
    assert "[Giao chung]" not in item
    assert not any(line.startswith("Cần xác định") for line in status_lines(session, config, None, NOW))


def test_names_are_units_groups_or_to_be_placed(session: Session) -> None:
    """The gazetteer's collectives and groups read from their terms have members; a provincial body
    without its province and a group nobody can list are for the operator."""
    resolver = unit_resolver(session)
    expected = {
        "Bộ Tài chính": Placement.UNIT,
        "Sở KH&CN Nghệ An": Placement.UNIT,
        "Ủy ban nhân dân tỉnh Nghệ An": Placement.UNIT,
        "Các bộ, ngành": Placement.GROUP,
        "Các bộ, cơ quan Trung ương": Placement.GROUP,
        "Các sở, ban, ngành tỉnh Nghệ An": Placement.GROUP,
        "Ủy ban nhân dân tỉnh": Placement.UNPLACED,
        "UBND thành phố": Placement.UNPLACED,
        "Sở Khoa học và Công nghệ": Placement.UNPLACED,
        "Các sở, ban, ngành": Placement.UNPLACED,
        "Các trường": Placement.UNPLACED,
        "Các Bộ, cơ quan liên quan": Placement.UNPLACED,
    }
    assert {name: placement(name, resolver) for name in expected} == expected
    departments = group_members("Các sở, ban, ngành tỉnh Nghệ An")
    assert "Sở Tài chính tỉnh Nghệ An" in departments and all(d.endswith("tỉnh Nghệ An") for d in departments)
    central = group_members("Các bộ, cơ quan Trung ương")
    assert "Bộ Y tế" in central and "Ngân hàng Nhà nước Việt Nam" in central
    assert not any("tỉnh" in name.lower() for name in central)
    assert group_members("Các bộ, cơ quan liên quan") == ()


def test_a_commune_level_group_reaches_the_configured_communes(session: Session, tmp_path: Path) -> None:
    """The gazetteer lists no communes: "Ủy ban nhân dân các xã, phường" reaches the commune and ward
    committees the config names, once each and marked shared, and not a province's department."""
    communes = ("Ủy ban nhân dân xã Ia Grai", "Ủy ban nhân dân phường Pleiku")
    extra = tuple(
        RecipientConfig(unit, (unit,), (ChannelConfig("file", str(tmp_path / f"c{index}.txt")),))
        for index, unit in enumerate((*communes, "Sở Tài chính tỉnh Gia Lai"))
    )
    config = _config(tmp_path, extra)
    _seed(session, config)
    doc = add_document(session, "09/CT-UBND", "http://127.0.0.1/vb?docid=9")
    add_task(session, "x", "Rà soát công trình khai thác nước dưới đất", ["Ủy ban nhân dân các xã, phường"],
             dt.date(2025, 10, 5), document=doc)
    session.commit()
    texts = _delivered(session, config)
    for commune in communes:
        assert texts[commune].count("Rà soát công trình khai thác nước dưới đất") == 1, commune
        item = texts[commune].split("Rà soát công trình khai thác", 1)[0].rsplit("\n", 1)[-1]
        assert "[Giao chung]" in item
    assert "Rà soát công trình khai thác" not in texts["Sở Tài chính tỉnh Gia Lai"]
    assert placement("Ủy ban nhân dân các xã, phường", unit_resolver(session)) is Placement.GROUP
