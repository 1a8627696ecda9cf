"""Drafting the weekly bulletin: period, selection, near-duplicates, sections, the TOML round trip and
clear errors (naming the line) for a broken or wrongly edited draft."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.errors import BulletinInputError
from notifier.bulletin.classify import DEFAULT_SECTIONS, classify, is_local
from notifier.bulletin.dedupe import drop_near_duplicates
from notifier.bulletin.draft import (
    check_draft_ids,
    date_period,
    draft_bulletin,
    lead_summary,
    source_name,
    week_period,
)
from notifier.bulletin.draftfile import load_draft
from notifier.bulletin.model import Article

from .rows import ARTICLES


def make_draft(session: Session, tmp_path: Path) -> Path:
    """Draft week 2025-W14 into a file and return its path."""
    path = tmp_path / "ban-tin-2025-W14.toml"
    draft_bulletin(session, week_period("2025-W14"), path)
    return path


def test_iso_week_is_monday_to_sunday() -> None:
    period = week_period("2025-W14")
    assert (period.start, period.end, period.label) == (dt.date(2025, 3, 31), dt.date(2025, 4, 6), "2025-W14")


@pytest.mark.parametrize("week", ["2025-14", "W14", "2025-W54", "2025-W00"])
def test_bad_week_is_a_clear_error(week: str) -> None:
    with pytest.raises(BulletinInputError, match=r"[tT]uần"):
        week_period(week)


def test_period_ending_before_start_is_refused() -> None:
    with pytest.raises(BulletinInputError, match="ngày kết thúc"):
        date_period(dt.date(2025, 4, 7), dt.date(2025, 4, 1))


def test_source_name_and_lead_follow_the_seed_bulletins() -> None:
    assert source_name("https://www.sggp.org.vn/x.html", None) == "Sggp.org.vn"
    assert source_name("https://melinh.hanoi.gov.vn/a", None) == "Melinh.hanoi.gov.vn"
    text = "Câu một dài. " * 80
    lead = lead_summary(None, text)
    assert lead.endswith(".") and len(lead) <= 600


def test_week_draft_selects_dedupes_and_classifies(session: Session, article_ids: list[int],
                                                   tmp_path: Path) -> None:
    draft = load_draft(make_draft(session, tmp_path))
    by_url = {item.url: item for item in draft.items}
    assert draft.issue == "Số 14/2025"
    assert (draft.period_start, draft.period_end) == (dt.date(2025, 3, 31), dt.date(2025, 4, 6))
    assert [s.title for s in draft.sections] == [
        "Tin cải cách hành chính Trung ương", "Tin cải cách hành chính địa phương", "Phân tích - bình luận",
    ]
    # 10 rows: the reprint, the next week's article and the directive are left out
    assert len(draft.items) == 7
    assert ARTICLES[2].url not in by_url
    assert by_url[ARTICLES[1].url].duplicates == (ARTICLES[2].url,)
    sections = {item.title[:20]: item.section for item in draft.items}
    assert sections == {
        "Thủ tướng Chính phủ ": "trung-uong",
        "Hà Nội yêu cầu các đ": "dia-phuong",
        "Huyện Mê Linh thực h": "dia-phuong",
        "Cục Quản lý, giám sá": "trung-uong",
        "Tỉnh Nghệ An xử lý n": "dia-phuong",
        "Khi khu vực công áp ": "phan-tich-binh-luan",
        "Bộ Nội vụ công bố ch": "trung-uong",
    }
    hanoi = by_url[ARTICLES[1].url]
    assert (hanoi.source, hanoi.date, hanoi.author, hanoi.include) == (
        "Nhandan.vn", dt.date(2025, 4, 1), "Diệu Thương", True)
    local = sorted((i for i in draft.items if i.section == "dia-phuong"), key=lambda i: i.order)
    assert [i.date for i in local] == sorted(i.date for i in local if i.date)
    assert [i.order for i in local] == [10, 20, 30]


def test_draft_round_trips_markup_quotes_and_paragraphs(session: Session, article_ids: list[int],
                                                        tmp_path: Path) -> None:
    draft = load_draft(make_draft(session, tmp_path))
    by_url = {item.url: item for item in draft.items}
    hostile = by_url[ARTICLES[7].url]
    assert hostile.title == ARTICLES[7].title
    assert hostile.summary == ARTICLES[7].summary
    kpi = by_url[ARTICLES[6].url]
    assert kpi.summary.count("\n\n") == 1


def test_local_rule_reads_case_and_collective_phrases() -> None:
    assert is_local("QUẢNG NAM THĂNG HẠNG CHỈ SỐ PAR INDEX")
    assert is_local("Sở Du lịch TP.HCM tiếp tục dẫn đầu trong công tác cải cách hành chính")
    assert is_local("Thanh Hoá rút ngắn thời gian giải quyết thủ tục")
    assert not is_local("Giữ vững hòa bình, ổn định để phát triển")
    assert not is_local("Thủ tướng yêu cầu các tỉnh, thành phố đẩy nhanh giải ngân")


def test_classify_prefers_analysis_over_local() -> None:
    article = Article(id=1, url="https://x.vn/goc-nhin/a", title="Hà Nội và bài toán KPI", summary="",
                      source="X.vn", published=dt.date(2025, 4, 1), author=None)
    assert classify(article, DEFAULT_SECTIONS) == "phan-tich-binh-luan"


def test_different_stories_are_not_duplicates() -> None:
    def article(i: int, title: str) -> Article:
        return Article(id=i, url=f"https://x.vn/{i}", title=title, summary="", source="X.vn",
                       published=dt.date(2025, 4, 1), author=None)

    stories = drop_near_duplicates([
        article(1, "Bắc Ninh xây dựng quy trình xử lý liên thông các vụ việc lãng phí"),
        article(2, "Bắc Ninh: Tỉnh đầu tiên trên cả nước hoàn thành bệnh án điện tử"),
    ])
    assert len(stories) == 2


def test_broken_toml_names_the_line(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("order = "))
    lines[number] = "order = = 5"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(BulletinInputError, match=rf"dòng {number + 1}: tệp TOML hỏng"):
        load_draft(path)


def test_unknown_key_and_unknown_section_name_the_line(session: Session, article_ids: list[int],
                                                       tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    number = lines.index('section = "dia-phuong"') + 1
    lines[number - 1] = 'section = "the-thao"'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(BulletinInputError, match=rf"dòng {number}: mục 'the-thao' không có"):
        load_draft(path)
    path.write_text(text.replace("include = true", "include = true\nincluded = true", 1), encoding="utf-8")
    number = path.read_text(encoding="utf-8").splitlines().index("included = true") + 1
    with pytest.raises(BulletinInputError, match=rf"dòng {number}: khóa lạ 'included'"):
        load_draft(path)


def test_unknown_item_id_names_the_line(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("id = ")) + 1
    lines[number - 1] = "id = 4242"
    path.write_text("\n".join(lines), encoding="utf-8")
    draft = load_draft(path)
    with pytest.raises(BulletinInputError, match=rf"{path}, dòng {number}: không có bài viết mã 4242"):
        check_draft_ids(session, draft, path)


def test_repeated_item_id_names_the_second_line(session: Session, article_ids: list[int],
                                                tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    ids = [i for i, line in enumerate(lines) if line.startswith("id = ")]
    lines[ids[1]] = lines[ids[0]]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(BulletinInputError, match=rf"dòng {ids[1] + 1}: mã tin .* bị lặp"):
        load_draft(path)


def test_missing_draft_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BulletinInputError, match="Không tìm thấy bản nháp"):
        load_draft(tmp_path / "absent.toml")


def test_existing_draft_is_not_overwritten_unless_asked(session: Session, article_ids: list[int],
                                                        tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "# sửa tay\n", encoding="utf-8")
    with pytest.raises(BulletinInputError, match="Bản nháp đã có"):
        draft_bulletin(session, week_period("2025-W14"), path)
    assert path.read_text(encoding="utf-8").endswith("# sửa tay\n")
    draft_bulletin(session, week_period("2025-W14"), path, overwrite=True)
    assert "# sửa tay" not in path.read_text(encoding="utf-8")
