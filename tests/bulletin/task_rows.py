"""Realistic tasks for report tests: rows of seed 003's appendix (overdue to the end of July 2025), a
done row of seed 002, an August task of seed 003's Phụ lục 04, and the tasks of seed 004 (the Nghệ An
letter 10447/UBND-VX and the conclusion 46-TB/TGV), stored as Task rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crawler.storage.schema import Task

SEEN = dt.date(2025, 10, 3)


@dataclass(frozen=True)
class TaskRow:
    """One task as the extractor would have stored it."""

    refs: tuple[str, ...]
    action: str
    lead: tuple[str, ...]
    raw: str | None
    due: dt.date | None
    precision: str = "day"
    status: str | None = None
    support: tuple[str, ...] = field(default_factory=tuple)
    result: str = ""


SEED_003 = (
    TaskRow(
        refs=("35-TB/TGV",),
        action=(
            "Phối hợp với Ban Cơ yếu Chính phủ, Bộ Công an nghiên cứu triển khai các giải pháp "
            "bảo mật trên mạng truyền số liệu chuyên dùng để thiết lập hạ tầng, nền tảng dùng "
            "chung phục vụ gửi, nhận văn bản và xử lý hồ sơ công việc trên môi trường Mật, Tối "
            "Mật"
        ),
        lead=("Ban Cơ yếu Chính phủ",),
        raw="Tháng 7/2025",
        due=dt.date(2025, 7, 31),
        precision="month",
    ),
    TaskRow(
        refs=("02-KH/BCĐTW",),
        action=(
            "Xây dựng giải pháp bảo vệ an toàn, an ninh thông tin và bảo mật dữ liệu khi chia sẻ "
            "giữa các cơ quan trong hệ thống chính trị"
        ),
        lead=("Ban Cơ yếu Chính phủ",),
        raw="Tháng 7/2025",
        due=dt.date(2025, 7, 31),
        precision="month",
    ),
    TaskRow(
        refs=("71/NQ-CP", "01-TB/BCĐTW", "03-TB/BCĐTW", "02-TB/BCĐTW"),
        action=(
            "Rà soát, cập nhật Chiến lược dữ liệu quốc gia"
        ),
        result="Chiến lược được ban hành",
        lead=("Bộ Công an",),
        raw="Tháng 6/2025",
        due=dt.date(2025, 6, 30),
        precision="month",
        status="in_progress",
    ),
    TaskRow(
        refs=("05-TB/BCĐTW",),
        action=(
            "Xây dựng và trình Ban Chỉ đạo các cơ chế vượt trội, đột phá về quản trị dữ liệu quốc"
            " gia theo nguyên tắc dữ liệu cần đúng - đủ - sạch - sống - kết nối thông suốt"
        ),
        lead=("Bộ Công an",),
        raw="Tháng 7/2025",
        due=dt.date(2025, 7, 31),
        precision="month",
    ),
    TaskRow(
        refs=("02-KH /BCĐTW",),
        action=(
            "Xây dựng, trình Thủ tướng Chính phủ phê duyệt phương án triển khai và lộ trình tích "
            "hợp các hệ thống camera giám sát an ninh, trật tự, giao thông công cộng về các Trung"
            " tâm điều hành thông minh cấp tỉnh (IOC)"
        ),
        lead=("Bộ Công an",),
        raw="Tháng 7/2025",
        due=dt.date(2025, 7, 31),
        precision="month",
    ),
    TaskRow(
        refs=("71/NQ-CP",),
        action=(
            "Xây dựng Nghị định quy định chính sách học bổng cho người học các ngành khoa học cơ "
            "bản, kỹ thuật then chốt và công nghệ chiến lược."
        ),
        lead=("Bộ Giáo dục và Đào tạo",),
        raw="Tháng 7/2025",
        due=dt.date(2025, 7, 31),
        precision="month",
    ),
    TaskRow(
        refs=("35-TB/TGV",),
        action=(
            "Phối hợp với Văn phòng Chính phủ khẩn trương ban hành hướng dẫn điều chỉnh các tiêu "
            "chí trang bị tại cấp xã theo hướng linh hoạt, phù hợp với từng loại hình đơn vị hành"
            " chính"
        ),
        lead=("Văn phòng Chính phủ",),
        raw="Trước ngày 20/7/25",
        due=dt.date(2025, 7, 20),
    ),
    TaskRow(
        refs=("71/NQ-CP",),
        action=(
            "Nâng cấp, hoàn thiện hạ tầng công nghệ thông tin đáp ứng yêu cầu tại văn bản số "
            "1552/BTTTT-TTH và 708/BTTTT-CATTT; hoàn thành kết nối giữa Hệ thống thông tin giải "
            "quyết TTHC cấp bộ, cấp tỉnh với Cơ sở dữ liệu quốc gia về dân cư"
        ),
        lead=(
            "Thanh Hóa", "Bộ Dân tộc và Tôn giáo", "Bộ Giáo dục và Đào tạo", "Bộ Y tế", "Đồng Nai",
            "Bắc Ninh",
        ),
        raw="31/5/2025",
        due=dt.date(2025, 5, 31),
    ),
    TaskRow(
        refs=("04-TB/BCĐTW",),
        action=(
            "Bảo đảm 100% xã, tỉnh kết nối đường truyền thông suốt; xử lý hồ sơ công việc đến cấp"
            " độ tối mật (cơ quan Trung ương, tỉnh ủy, thành ủy), cấp độ mật (cấp xã)."
        ),
        lead=("Các địa phương",),
        raw="30/6/2025",
        due=dt.date(2025, 6, 30),
    ),
    TaskRow(
        refs=("14-TB/TGV",),
        action=(
            "Chủ trì, phối hợp với Văn phòng Chính phủ, Bộ Công an tái cấu trúc quy trình thủ tục"
            " hành chính thuộc phạm vi quản lý"
        ),
        lead=("Các bộ, ngành, địa phương",),
        raw="Tháng 12/2025",
        due=dt.date(2025, 12, 31),
        precision="month",
    ),
    TaskRow(
        refs=("71/NQ-CP",),
        action=(
            "Cơ sở dữ liệu quốc gia về Bảo hiểm"
        ),
        lead=("Bộ Tài chính",),
        raw="Tháng 8/2025",
        due=dt.date(2025, 8, 31),
        precision="month",
    ),
)
SEED_002_DONE = TaskRow(
    refs=("04-TB/BCĐTW",),
    action=(
        "Bảo đảm 100% xã, tỉnh kết nối đường truyền thông suốt; xử lý hồ sơ công việc đến cấp"
        " độ tối mật (cơ quan Trung ương, tỉnh ủy, thành ủy), cấp độ mật (cấp xã)."
    ),
    lead=("Sở Khoa học và Công nghệ",),
    raw="30-06-2025",
    due=dt.date(2025, 6, 30),
    status="done",
)
SEED_004 = (
    TaskRow(
        refs=("10447/UBND-VX", "46-TB/TGV"),
        action=(
            "Khẩn trương triển khai nhiệm vụ được giao tại Mục V của Thông báo số 46-TB/TGV; báo "
            "cáo kết quả thực hiện cho UBND tỉnh"
        ),
        lead=("Sở Khoa học và Công nghệ",),
        raw="trước ngày 16/10/2025",
        due=dt.date(2025, 10, 16),
        support=("Sở Tài chính",),
    ),
    TaskRow(
        refs=("10447/UBND-VX", "46-TB/TGV"),
        action=(
            "Triển khai nhiệm vụ được giao tại điểm 6, Mục V của Thông báo số 46-TB/TGV; báo cáo "
            "kết quả thực hiện cho UBND tỉnh (qua Sở Khoa học và Công nghệ)"
        ),
        lead=("Công an tỉnh",),
        raw="trước ngày 16/10/2025",
        due=dt.date(2025, 10, 16),
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Báo cáo Thường trực Ban Bí thư những nhiệm vụ cụ thể cần phải tập trung triển khai "
            "về chuyển đổi số từ nay đến cuối năm 2025"
        ),
        lead=("Văn phòng Trung ương Đảng",),
        raw="Hoàn thành trước ngày 5/10/2025",
        due=dt.date(2025, 10, 5),
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Khẩn trương hoàn thiện, trình cấp có thẩm quyền ban hành Khung Kiến trúc tổng thể "
            "quốc gia số Việt Nam"
        ),
        lead=("Bộ Khoa học và Công nghệ",),
        raw="Hoàn thành chậm nhất trong ngày 05/10/2025",
        due=dt.date(2025, 10, 5),
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Rà soát hạ tầng mạng truyền số liệu chuyên dùng của cơ quan Đảng, Nhà nước bảo đảm "
            "dùng chung cho các cơ quan trong hệ thống chính trị"
        ),
        lead=("Bộ Khoa học và Công nghệ",),
        raw="Hoàn thành trong tháng 10/2025",
        due=dt.date(2025, 10, 31),
        precision="month",
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Hoàn thành đưa vào triển khai nền tảng biểu mẫu điện tử tương tác trên Cổng Dịch vụ "
            "công quốc gia"
        ),
        lead=("Bộ Công an", "Văn phòng Chính phủ",),
        raw="Hoàn thành trong tháng 11/2025",
        due=dt.date(2025, 11, 30),
        precision="month",
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Rà soát, xác định nhiệm vụ, chương trình, đề án, dự án và dự toán kinh phí; gửi Bộ "
            "Khoa học và Công nghệ, Bộ Tài chính để tổng hợp, đề xuất, phân bổ kinh phí"
        ),
        lead=("Các bộ, cơ quan Trung ương và địa phương",),
        raw="Hoàn thành trước 15/10/2025",
        due=dt.date(2025, 10, 15),
    ),
    TaskRow(
        refs=("46-TB/TGV",),
        action=(
            "Tăng cường các hoạt động bồi dưỡng, tập huấn, nâng cao kỹ năng số cho cán bộ, công "
            "chức, viên chức, người dân"
        ),
        lead=("Các tỉnh, thành phố trực thuộc Trung ương",),
        raw="Nhiệm vụ thường xuyên",
        due=None,
        precision="recurring",
    ),
)
ALL_TASKS = (*SEED_003, SEED_002_DONE, *SEED_004)


def add_tasks(session: Session, rows: tuple[TaskRow, ...]) -> None:
    """Insert task rows as the differ would have stored them."""
    for number, row in enumerate(rows):
        session.add(Task(
            identity=hashlib.sha256(f"{number}:{row.action}".encode()).hexdigest(),
            action=row.action, lead=list(row.lead), support=list(row.support), source_refs=list(row.refs),
            deadline_raw=row.raw, due=row.due, precision=row.precision, status=row.status,
            required_result=row.result, first_seen=SEEN, last_seen=SEEN,
        ))
    session.commit()
