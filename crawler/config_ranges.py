"""Range and meaning checks of config values, run when the config is loaded.

A size or timeout of 0 would silently remove a limit (Scrapy reads 0 as "no limit"), a port outside
1-65535 fails deep inside the socket layer, a bogus timezone or a negative count gives odd schedules:
each is a ConfigError naming the key, its value and the allowed range, in Vietnamese.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.errors import ConfigError

if TYPE_CHECKING:
    from crawler.config import Config

MAX_PORT = 65535


@dataclass(frozen=True)
class Bound:
    """The allowed integer range of one key (`high` None = no upper end) and what the key means."""

    low: int
    meaning: str
    high: int | None = None

    def allowed(self) -> str:
        """The range in words."""
        return f"từ {self.low} đến {self.high}" if self.high is not None else f"từ {self.low} trở lên"


BOUNDS: dict[str, dict[str, Bound]] = {
    "general": {
        "max_response_mb": Bound(1, "số MB tối đa của một phản hồi; 0 sẽ bỏ giới hạn kích thước"),
        "download_timeout_s": Bound(1, "số giây chờ tải một trang; 0 sẽ bỏ giới hạn thời gian"),
        "crawl_time_limit_s": Bound(1, "số giây tối đa của một lần thu thập"),
        "raw_page_retention_days": Bound(1, "số ngày giữ trang gốc đã tải"),
        "ocr_max_pages": Bound(1, "số trang tối đa nhận dạng (OCR) của một bản quét"),
        "ocr_max_pixels": Bound(1_000_000, "số điểm ảnh tối đa của một trang bản quét"),
        "ocr_page_timeout_s": Bound(1, "số giây tối đa nhận dạng (OCR) một trang"),
    },
    "sources": {
        "max_pages": Bound(1, "số trang danh sách tối đa mỗi lần thu thập"),
        "interval_minutes": Bound(1, "số phút giữa hai lần thu thập"),
        "stale_after_days": Bound(1, "số ngày không có tin mới thì báo nguồn cũ"),
        "failures_before_alert": Bound(1, "số lần lỗi liên tiếp trước khi báo người vận hành"),
        "interval_seconds": Bound(0, "số giây giữa hai lần thu thập; 0 = dùng interval_minutes"),
        "time_limit_s": Bound(0, "số giây tối đa của một lần thu thập; 0 = dùng general.crawl_time_limit_s"),
    },
    "sources.revisit": {
        "daily_days": Bound(0, "số ngày tuổi mà văn bản còn được kiểm tra lại hằng ngày"),
        "weekly_days": Bound(0, "số ngày tuổi mà văn bản còn được kiểm tra lại hằng tuần"),
        "old_every_days": Bound(0, "số ngày giữa hai lần kiểm tra lại văn bản cũ hơn; "
                                   "0 = không kiểm tra lại"),
    },
    "channels.email": {"port": Bound(1, "cổng máy chủ SMTP", MAX_PORT)},
    "channels": {"invite_valid_days": Bound(1, "số ngày một mã mời còn dùng được")},
    "schedules": {"delivery_interval_seconds": Bound(0, "số giây giữa hai lần gửi hộp thư đi; 0 = tắt")},
    "service": {
        "health_port": Bound(0, "cổng của /healthz và /metrics; 0 = tắt", MAX_PORT),
        "webhook_port": Bound(0, "cổng nhận webhook Telegram và Zalo; 0 = tắt", MAX_PORT),
        "misfire_grace_s": Bound(1, "số giây một lần chạy bị lỡ vẫn được chạy bù"),
        "stop_timeout_s": Bound(1, "số giây chờ công việc đang chạy khi dừng dịch vụ"),
    },
    "web": {"port": Bound(1, "cổng của trang web", MAX_PORT),
            "link_days": Bound(1, "số ngày liên kết cá nhân trong bản nhắc việc còn mở được", 366)},
}
DUE_SOON = Bound(1, "số ngày trước hạn thì nhắc “sắp đến hạn”")


def check_ranges(config: Config, origin: str) -> None:
    """Refuse any value outside its key's range, and a timezone that is not a real IANA name."""
    tables: dict[str, Iterable[tuple[str, Any]]] = {
        "general": [("general", config.general)],
        "sources": [(f"sources[{i}]", source) for i, source in enumerate(config.sources)],
        "sources.revisit": [(f"sources[{i}].revisit", s.revisit) for i, s in enumerate(config.sources)],
        "channels.email": [("channels.email", config.channels.email)],
        "channels": [("channels", config.channels)],
        "schedules": [("schedules", config.schedules)],
        "service": [("service", config.service)],
        "web": [("web", config.web)],
    }
    for family, entries in tables.items():
        for where, table in entries:
            for key, bound in BOUNDS[family].items():
                check_value(f"{where}.{key}", getattr(table, key), bound, origin)
    for i, recipient in enumerate(config.recipients):
        for j, days in enumerate(recipient.due_soon_days):
            check_value(f"recipients[{i}].due_soon_days[{j}]", days, DUE_SOON, origin)
    check_timezone(config.general.timezone, origin)
    for i, source in enumerate(config.sources):
        check_revisit(f"sources[{i}].revisit", source.revisit.daily_days, source.revisit.weekly_days, origin)


def check_value(key: str, value: int, bound: Bound, origin: str) -> None:
    """A ConfigError naming the key, its value and the allowed range when `value` is outside it."""
    if value < bound.low or (bound.high is not None and value > bound.high):
        problem = f"phải {bound.allowed()} ({bound.meaning})"
        raise ConfigError(f"{origin}: '{key}' = {value} không hợp lệ: {problem}")


def check_revisit(where: str, daily_days: int, weekly_days: int, origin: str) -> None:
    """Refuse a weekly age limit below the daily one (the weekly band would be empty and misleading)."""
    if weekly_days < daily_days:
        raise ConfigError(f"{origin}: '{where}.weekly_days' = {weekly_days} không hợp lệ: phải từ "
                          f"'{where}.daily_days' ({daily_days}) trở lên (kiểm tra hằng tuần sau giai đoạn "
                          f"kiểm tra hằng ngày)")


def check_timezone(name: str, origin: str) -> None:
    """Refuse a timezone that the IANA database does not know."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{origin}: 'general.timezone' = {name!r} không phải múi giờ IANA (ví dụ: Asia/Ho_Chi_Minh)"
        ) from exc
