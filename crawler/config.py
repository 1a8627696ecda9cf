"""The one configuration file (dondoc.toml), loaded once, validated strictly and passed in.

Every table maps to a frozen dataclass; an unknown key, a wrong type or a missing field is a
ConfigError naming the file and the key, so nothing runs on a half-understood config. Secrets are
never in the file: the config names the environment variables that hold them.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from crawler.config_ranges import check_ranges
from crawler.errors import ConfigError

DEFAULT_CONFIG_NAME = "dondoc.toml"
DATABASE_URL_ENV = "DONDOC_DATABASE_URL"
CONFIG_PATH_ENV = "DONDOC_CONFIG"


@dataclass(frozen=True)
class GeneralConfig:
    """Settings that apply to the whole service."""

    database: str = "dondoc.sqlite3"
    timezone: str = "Asia/Ho_Chi_Minh"
    output_dir: str = "out"
    operator_contact: str = "operator@example.gov.vn"
    max_response_mb: int = 50
    download_timeout_s: int = 60
    crawl_time_limit_s: int = 900
    raw_page_retention_days: int = 180
    ocr_max_pages: int = 30
    ocr_max_pixels: int = 40_000_000
    ocr_page_timeout_s: int = 60
    operator_recipient: str = ""


@dataclass(frozen=True)
class RevisitConfig:
    """When known documents are revalidated (conditional requests), by their age: daily while younger
    than `daily_days`, weekly while younger than `weekly_days`, then every `old_every_days` (0 = never)."""

    daily_days: int = 30
    weekly_days: int = 365
    old_every_days: int = 30


@dataclass(frozen=True)
class SourceConfig:
    """One site or feed to crawl; `family` picks the spider, `options` holds its site profile."""

    name: str
    family: str
    start_url: str
    outlet: str = ""  # the outlet's name as bulletins credit it ("Baochinhphu.vn")
    allowed_domains: tuple[str, ...] = ()
    local: bool = False
    max_pages: int = 5
    interval_minutes: int = 360
    stale_after_days: int = 14
    failures_before_alert: int = 3
    enabled: bool = True
    interval_seconds: int = 0
    cron: str = ""
    time_limit_s: int = 0
    group: str = ""
    profile: str = ""
    revisit: RevisitConfig = RevisitConfig()
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitConfig:
    """A unit the operator adds or extends beyond the packaged gazetteer."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelConfig:
    """One way a recipient is reached: console, file, telegram, zalo or email, at an address."""

    type: str
    address: str = ""


@dataclass(frozen=True)
class RecipientConfig:
    """Someone who gets digests for the units they follow."""

    name: str
    units: tuple[str, ...]
    channels: tuple[ChannelConfig, ...] = ()
    due_soon_days: tuple[int, ...] = (7, 3, 1)
    digests: tuple[str, ...] = ("daily", "weekly")


@dataclass(frozen=True)
class TelegramConfig:
    """Telegram Bot API access; the token is read from the environment variable named here."""

    token_env: str = "DONDOC_TELEGRAM_TOKEN"
    api_base: str = "https://api.telegram.org"
    bot_username: str = ""  # for invite links (t.me/<bot>?start=CODE); asked of getMe when empty


@dataclass(frozen=True)
class ZaloConfig:
    """Zalo OA access; keys and tokens come from the environment variables named here."""

    app_id: str = ""
    secret_key_env: str = "DONDOC_ZALO_SECRET_KEY"
    access_token_env: str = "DONDOC_ZALO_ACCESS_TOKEN"
    refresh_token_env: str = "DONDOC_ZALO_REFRESH_TOKEN"
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    zns_template_id: str = ""


@dataclass(frozen=True)
class EmailConfig:
    """SMTP submission; the password is read from the environment variable named here."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = "DONDOC_SMTP_PASSWORD"
    sender: str = "dondoc@localhost"


@dataclass(frozen=True)
class ChannelsConfig:
    """Credentials and endpoints of the delivery channels."""

    telegram: TelegramConfig = TelegramConfig()
    zalo: ZaloConfig = ZaloConfig()
    email: EmailConfig = EmailConfig()
    invite_valid_days: int = 7  # how long a `dondoc invite` code can be redeemed


@dataclass(frozen=True)
class SchedulesConfig:
    """When the service runs its jobs (cron expressions, Asia/Ho_Chi_Minh)."""

    daily_digest: str = "30 7 * * *"
    weekly_digest: str = "0 8 * * mon"
    bulletin_draft: str = "0 14 * * fri"
    housekeeping: str = "0 3 * * *"
    delivery_interval_seconds: int = 60


@dataclass(frozen=True)
class ServiceConfig:
    """How `dondoc run` runs: the loopback health endpoint, log format and job timing."""

    health_host: str = "127.0.0.1"
    health_port: int = 8787
    log_json: bool = False
    misfire_grace_s: int = 3600
    stop_timeout_s: int = 30
    telegram_polling: bool = False
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 0  # the Telegram and Zalo webhooks inside `dondoc run`; 0 = not served


@dataclass(frozen=True)
class WebConfig:
    """The web application (`dondoc web`; inside `dondoc run` when enabled): where it listens."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8790
    https_only: bool = False
    base_url: str = ""  # the address unit heads open (https://…): digests carry personal links when set
    link_days: int = 30  # how long a digest's personal link opens its unit's pages


@dataclass(frozen=True)
class BulletinSectionConfig:
    """One bulletin section and the keyword rules that send an article to it (see bulletin/classify)."""

    key: str
    title: str
    title_words: tuple[str, ...] = ()
    url_words: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    section_words: tuple[str, ...] = ()  # words of the outlet's own section ("bình luận")
    issuer_words: tuple[str, ...] = ()  # a title opening with one of these ("Thủ tướng", "Bộ ")
    text_words: tuple[str, ...] = ()  # words of the article's text, tried after the headline rules
    local_names: bool = False
    default: bool = False
    priority: int = 100


@dataclass(frozen=True)
class BulletinConfig:
    """The weekly bulletin: masthead, email subject, mailing list and sections (empty = built-in three)."""

    title: str = "Bản tin cải cách hành chính"
    publisher: str = ""
    subject: str = "Bản tin CCHC"
    lead_only: bool = False  # items carry only the lead, not the article's full text
    mailing_list: tuple[str, ...] = ()
    sections: tuple[BulletinSectionConfig, ...] = ()


@dataclass(frozen=True)
class ReportConfig:
    """The report a task list goes with, named under its title: "(Kèm theo Báo cáo số …, ngày …)";
    the command line's --report-number, --report-date and --report-issuer win over these."""

    number: str = ""
    date: str = ""  # YYYY-MM-DD
    issuer: str = ""


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    general: GeneralConfig = GeneralConfig()
    sources: tuple[SourceConfig, ...] = ()
    units: tuple[UnitConfig, ...] = ()
    recipients: tuple[RecipientConfig, ...] = ()
    channels: ChannelsConfig = ChannelsConfig()
    schedules: SchedulesConfig = SchedulesConfig()
    service: ServiceConfig = ServiceConfig()
    web: WebConfig = WebConfig()
    bulletin: BulletinConfig = BulletinConfig()
    report: ReportConfig = ReportConfig()
    path: str = ""

    def database_url(self) -> str:
        """The database URL: DONDOC_DATABASE_URL wins, else the SQLite file the config names."""
        from_env = os.environ.get(DATABASE_URL_ENV)
        if from_env:
            return from_env
        db_path = Path(self.general.database)
        if not db_path.is_absolute() and self.path:
            db_path = Path(self.path).parent / db_path
        return f"sqlite:///{db_path}"

    def output_path(self) -> Path:
        """The output folder, relative to the config file's folder when not absolute."""
        path = Path(self.general.output_dir)
        return path if path.is_absolute() or not self.path else Path(self.path).parent / path


T = TypeVar("T")
# What a TOML value of each scalar field type may be (an int is fine where a float is expected).
SCALAR_TYPES: dict[type, type | tuple[type, ...]] = {str: str, int: int, bool: bool, float: (int, float)}


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file; any problem is a ConfigError naming the file and key."""
    config_path = Path(path)
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{config_path}: không tìm thấy tệp cấu hình") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: tệp cấu hình không đúng cú pháp TOML: {exc}") from exc
    config = config_from_dict(raw, str(config_path))
    _check_consistency(config, str(config_path))
    return config


def config_from_dict(raw: dict[str, Any], origin: str) -> Config:
    """Build a Config from parsed TOML, validating every key against the dataclasses above."""
    built = _build(Config, {k: v for k, v in raw.items()}, origin, "")
    return Config(**{**{f.name: getattr(built, f.name) for f in fields(Config)}, "path": origin})


def _build(cls: type[T], table: Any, origin: str, where: str) -> T:
    """Instantiate dataclass `cls` from a TOML table, rejecting unknown keys and wrong types."""
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: '{where or 'gốc'}' phải là một bảng (table)")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name != "path"}  # type: ignore[arg-type]
    for key in table:
        if key not in known:
            raise ConfigError(f"{origin}: khóa không hợp lệ '{_join(where, key)}'")
    values: dict[str, Any] = {}
    for name, fld in known.items():
        if name not in table:
            if fld.default is MISSING and fld.default_factory is MISSING:
                raise ConfigError(f"{origin}: thiếu khóa bắt buộc '{_join(where, name)}'")
            continue
        values[name] = _coerce(hints[name], table[name], origin, _join(where, name))
    return cls(**values)


def _coerce(hint: Any, value: Any, origin: str, where: str) -> Any:
    """Check `value` against a type hint and convert lists to tuples and tables to dataclasses."""
    origin_type = typing.get_origin(hint)
    if origin_type is tuple:
        item_hint = typing.get_args(hint)[0]
        if not isinstance(value, list):
            raise ConfigError(f"{origin}: '{where}' phải là một danh sách")
        return tuple(_coerce(item_hint, item, origin, f"{where}[{i}]") for i, item in enumerate(value))
    if origin_type is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: '{where}' phải là một bảng (table)")
        return dict(value)
    if origin_type in (types.UnionType, typing.Union):
        raise ConfigError(f"{origin}: '{where}': kiểu không hỗ trợ")  # no optional fields in the schema
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        return _build(hint, value, origin, where)
    expected = SCALAR_TYPES[hint]
    if isinstance(value, bool) and hint is not bool:
        raise ConfigError(f"{origin}: '{where}' phải có kiểu {hint.__name__}")
    if not isinstance(value, expected):
        raise ConfigError(f"{origin}: '{where}' phải có kiểu {hint.__name__}")
    return value


def _join(where: str, key: str) -> str:
    """Dotted path of a key, for error messages."""
    return f"{where}.{key}" if where else key


FAMILIES = ("news", "vanban", "rss", "generic")
CHANNEL_TYPES = ("console", "file", "telegram", "zalo", "email")


def _check_consistency(config: Config, origin: str) -> None:
    """Checks that the type system cannot express: value ranges, families, channel types, names."""
    check_ranges(config, origin)
    seen: set[str] = set()
    for i, source in enumerate(config.sources):
        if source.family not in FAMILIES:
            raise ConfigError(
                f"{origin}: 'sources[{i}].family' phải là một trong {', '.join(FAMILIES)}"
            )
        if source.name in seen:
            raise ConfigError(f"{origin}: 'sources[{i}].name' trùng tên nguồn '{source.name}'")
        seen.add(source.name)
    for i, recipient in enumerate(config.recipients):
        for j, channel in enumerate(recipient.channels):
            if channel.type not in CHANNEL_TYPES:
                raise ConfigError(
                    f"{origin}: 'recipients[{i}].channels[{j}].type' phải là một trong "
                    f"{', '.join(CHANNEL_TYPES)}"
                )
    _check_bulletin(config.bulletin, origin)
    _check_report(config.report, origin)
    _check_web(config.web, origin)


def _check_web(web: WebConfig, origin: str) -> None:
    """Refuse a public address that is not an http(s) URL with a host (links in digests start with it)."""
    parts = urlsplit(web.base_url)
    if web.base_url and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query):
        example = "https://dondoc.tinh.gov.vn"
        problem = f"phải là địa chỉ http(s)://… của trang web, ví dụ {example}: {web.base_url!r}"
        raise ConfigError(f"{origin}: 'web.base_url' {problem}")


def _check_report(report: ReportConfig, origin: str) -> None:
    """Refuse a report date that is not YYYY-MM-DD, and a date or issuer without a report number."""
    if report.date:
        try:
            dt.date.fromisoformat(report.date)
        except ValueError:
            problem = f"phải là ngày dạng YYYY-MM-DD: {report.date!r}"
            raise ConfigError(f"{origin}: 'report.date' {problem}") from None
    if (report.date or report.issuer) and not report.number:
        problem = "cần đi cùng 'report.number' (số báo cáo)"
        raise ConfigError(f"{origin}: 'report.date' và 'report.issuer' {problem}")


def _check_bulletin(bulletin: BulletinConfig, origin: str) -> None:
    """Refuse mailing-list entries that are not one plain address, and sections without exactly one
    default or with repeated keys."""
    for i, address in enumerate(bulletin.mailing_list):
        if not _plain_address(address):
            problem = f"không phải một địa chỉ email: {address!r}"
            raise ConfigError(f"{origin}: 'bulletin.mailing_list[{i}]' {problem}")
    if not bulletin.sections:
        return
    keys = [section.key for section in bulletin.sections]
    if len(set(keys)) != len(keys) or not all(keys):
        raise ConfigError(f"{origin}: 'bulletin.sections' có mã mục (key) trống hoặc bị lặp")
    if sum(section.default for section in bulletin.sections) != 1:
        raise ConfigError(f"{origin}: 'bulletin.sections' phải có đúng một mục mặc định (default = true)")


def _plain_address(address: str) -> bool:
    """Tell whether a string is one bare email address (no name, no list, no header characters)."""
    local, at, domain = address.partition("@")
    clean = all(ch.isprintable() and not ch.isspace() and ch not in '<>,;"' for ch in address)
    return bool(local and at and domain) and "@" not in domain and clean


def find_config_path(explicit: str | None) -> Path | None:
    """The config file to use: --config, then DONDOC_CONFIG, then ./dondoc.toml if it exists."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_PATH_ENV)
    if from_env:
        return Path(from_env)
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.exists() else None


def secret(env_name: str) -> str | None:
    """Read a secret from the environment variable the config names, never from the file itself; the
    value is masked in every log record from then on."""
    from crawler.redaction import register_secret

    value = os.environ.get(env_name) or None
    register_secret(value)
    return value
