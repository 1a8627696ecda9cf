"""Realistic rows for bulletin tests: the week 2025-W14 articles of the seed bulletin 001 (plus a
reprint, an out-of-period article, a directive and a hostile title), and how to insert them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.storage.schema import Document, Source

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CREATED = dt.datetime(2025, 4, 7, 8, 0, tzinfo=VN)


@dataclass(frozen=True)
class Row:
    """One article row to insert: the fields a crawl would have stored."""

    url: str
    title: str
    summary: str
    published: dt.datetime
    author: str | None = None
    kind: str = "article"


ARTICLES = (
    Row(
        url="https://baochinhphu.vn/thu-tuong-don-doc-giai-ngan-von-dau-tu-cong-102250401.htm",
        title="Thủ tướng Chính phủ đôn đốc đẩy nhanh tiến độ phân bổ, giải ngân vốn đầu tư công năm 2025",
        summary="Phó Thủ tướng Hồ Đức Phớc ký Công điện số 60/CĐ-TTg của Thủ tướng Chính phủ về việc đôn "
        "đốc đẩy nhanh tiến độ phân bổ và giải ngân vốn đầu tư công năm 2025.",
        published=dt.datetime(2025, 3, 31, 16, 30, tzinfo=VN),
        author="Minh Anh",
    ),
    Row(
        url="https://nhandan.vn/ha-noi-yeu-cau-cac-don-vi-hoan-thanh-ke-hoach-cai-cach-hanh-chinh-truoc-ngay-154-post869275.html",
        title="Hà Nội yêu cầu các đơn vị hoàn thành Kế hoạch cải cách hành chính trước ngày 15/4",
        summary="Thành phố Hà Nội giao các đơn vị liên quan xây dựng, ban hành Kế hoạch thực hiện Chương "
        "trình cải cách hành chính năm 2025, hoàn thành trước ngày 15/4.",
        published=dt.datetime(2025, 4, 1, 9, 15, tzinfo=VN),
        author="Diệu Thương",
    ),
    Row(  # the same story reprinted a day later by another site: dropped as a near-duplicate
        url="https://hanoimoi.vn/ha-noi-yeu-cau-hoan-thanh-ke-hoach-cai-cach-hanh-chinh-698123.html",
        title="Hà Nội: yêu cầu các đơn vị hoàn thành Kế hoạch cải cách hành chính trước ngày 15/4",
        summary="Thành phố Hà Nội giao các đơn vị liên quan xây dựng, ban hành Kế hoạch thực hiện Chương "
        "trình cải cách hành chính năm 2025, hoàn thành trước ngày 15/4/2025.",
        published=dt.datetime(2025, 4, 2, 7, 0, tzinfo=VN),
    ),
    Row(
        url="https://melinh.hanoi.gov.vn/huyen-me-linh-thuc-hien-phan-luong-rut-ngan-60-thoi-gian-xu-ly-ho-so-173250402094825446.htm",
        title="Huyện Mê Linh thực hiện phân luồng, rút ngắn 60% thời gian xử lý hồ sơ liên quan đến đầu tư, "
        "phát triển hạ tầng, hỗ trợ tài chính và chuyển đổi số",
        summary="UBND huyện Mê Linh vừa ban hành Văn bản số 781/UBND-TCKH về chỉ đạo phân luồng, rút ngắn "
        "thời gian xử lý đối với các nhóm hồ sơ thủ tục công việc nhằm đạt mục tiêu tăng trưởng GRDP "
        "trên 8% của thành phố.",
        published=dt.datetime(2025, 4, 2, 10, 0, tzinfo=VN),
        author="Nguyễn Tuyền",
    ),
    Row(
        url="https://tapchitaichinh.vn/cuc-quan-ly-giam-sat-bao-hiem-day-manh-cai-cach-hanh-chinh-chuyen-doi-so.html",
        title="Cục Quản lý, giám sát bảo hiểm đẩy mạnh cải cách hành chính, chuyển đổi số",
        summary="Trong xu hướng chuyển đổi số mạnh mẽ, Cục Quản lý, giám sát bảo hiểm (Bộ Tài chính) đã "
        "triển khai nhiều biện pháp cải cách hành chính, nhằm nâng cao chất lượng quản lý và giám sát "
        "thị trường bảo hiểm.",
        published=dt.datetime(2025, 4, 1, 14, 0, tzinfo=VN),
        author="Bảo Ngọc",
    ),
    Row(
        url="https://giadinhonline.vn/tinh-nghe-an-xu-ly-nghiem-thai-do-dun-day-trach-nhiem-d205257.html",
        title="Tỉnh Nghệ An xử lý nghiêm thái độ đùn đẩy trách nhiệm, đặc biệt liên quan trực tiếp đến "
        "người dân",
        summary="Tỉnh Nghệ An yêu cầu xử lý nghiêm thái độ đùn đẩy trách nhiệm, gây chậm trễ, ách tắc trong "
        "xử lý các thủ tục liên quan trực tiếp đến người dân.",
        published=dt.datetime(2025, 4, 1, 11, 0, tzinfo=VN),
    ),
    Row(
        url="https://www.sggp.org.vn/binh-luan/khi-khu-vuc-cong-ap-dung-kpi-post788747.html",
        title="Khi khu vực công áp dụng KPI",
        summary="Từ ngày 1-4, UBND tỉnh Khánh Hòa quyết định áp dụng bộ tiêu chí đánh giá, xếp loại chất "
        "lượng cán bộ, công chức, viên chức (KPI) chính thức.\n\nĐó là một bước đi mạnh mẽ, tiến bộ "
        "trong cải cách hoạt động quản trị nhà nước hướng đến hiệu quả công việc.",
        published=dt.datetime(2025, 4, 2, 6, 0, tzinfo=VN),
    ),
    Row(  # scraped markup in a title and summary must reach readers as text
        url="https://example.gov.vn/tin-thu-nghiem-1.html",
        title='Bộ Nội vụ công bố chỉ số <script>alert("x")</script> & PAR INDEX 2024',
        summary="Chỉ số <b>PAR INDEX</b> năm 2024 của các tỉnh, thành phố tiếp tục tăng; "
        '"trung bình" 88,37%.',
        published=dt.datetime(2025, 4, 5, 20, 0, tzinfo=VN),
        author="PV",
    ),
    Row(  # outside the week (Monday of W15): not selected
        url="https://baoquangnam.vn/dai-loc-tap-huan-ve-cong-tac-so-hoa-du-lieu-3152000.html",
        title="Đại Lộc tập huấn về công tác số hóa dữ liệu",
        summary="Chiều 7/4, UBND huyện Đại Lộc tổ chức hội nghị tập huấn chuyên sâu về công tác số hóa.",
        published=dt.datetime(2025, 4, 7, 15, 0, tzinfo=VN),
    ),
    Row(  # a directive, not an article: not selected
        url="https://vanban.chinhphu.vn/cong-dien-60-cd-ttg.htm",
        title="Công điện số 60/CĐ-TTg về đôn đốc đẩy nhanh tiến độ phân bổ, giải ngân vốn đầu tư công",
        summary="",
        published=dt.datetime(2025, 4, 3, 9, 0, tzinfo=VN),
        kind="directive",
    ),
)


def add_rows(session: Session, rows: tuple[Row, ...]) -> list[int]:
    """Insert article rows (one source per host) and return their document ids."""
    sources: dict[str, Source] = {}
    ids = []
    for row in rows:
        host = row.url.split("/")[2]
        source = sources.get(host)
        if source is None:
            source = Source(name=host, family="news", start_url=f"https://{host}/")
            sources[host] = source
            session.add(source)
            session.flush()
        document = Document(
            source_id=source.id, url=row.url, kind=row.kind, title=row.title, summary=row.summary or None,
            author=row.author, text=row.summary or row.title, published_at=row.published,
            text_hash=hashlib.sha256(row.url.encode()).hexdigest(), created_at=CREATED,
        )
        session.add(document)
        session.flush()
        ids.append(document.id)
    session.commit()
    return ids
