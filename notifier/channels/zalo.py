"""Zalo Official Account through httpx: the v3 customer-service message endpoint, plain text.

Rules from the Zalo OA API: the `access_token` header (not Authorization); success is HTTP 200 with
`"error": 0`, and failures often come as HTTP 200 with a non-zero error; texts over 2000 characters
are rejected (the outbox splits before); a message reaches a user only within 48 hours of the user's
last interaction, so outside it the message is held for the operator, or, when a ZNS template is
configured (`zns_template_id`), sent as a Zalo Notification Service template message to the phone
number the follower shared with the OA (read from the OA's user detail; without one the message is
held). The template gets two parameters: `tieu_de` (the subject, at most 100 characters) and
`noi_dung` (the text, shortened to 400). The access token expires
(HTTP 401 or error -216): refresh once and retry once. The refresh token is single-use and replaced
at every refresh: the new pair is stored atomically before it is used, and a reused refresh token
(-14020) needs an operator to authorize the OA again. The store records when each token expires
(`expires_in` of the refresh answer; refresh tokens live about 90 days) so the operator can be warned
before the refresh token runs out (`token_warnings`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, ZaloConfig, secret
from crawler.errors import (
    MessageHeldError,
    NotConfiguredError,
    PermanentDeliveryError,
    RetryLaterError,
    TokenExpiredError,
)
from crawler.redaction import redacted_errors, register_secret
from crawler.storage.recipients import last_interaction
from notifier.channels import register
from notifier.channels.base import ChannelContext, OutgoingMessage, SendResult
from notifier.render import plain

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=48)
EXPIRED_TOKEN = -216
REUSED_REFRESH_TOKEN = -14020
OUTSIDE_WINDOW_ERRORS = frozenset({-230})
RATE_LIMIT_ERRORS = frozenset({-32})
TIMEOUT_S = 20.0
OUTSIDE_WINDOW = "người nhận chưa tương tác với OA trong 48 giờ qua; tin nhắn được giữ lại"
ZNS_BASE = "https://business.openapi.zalo.me"
ZALO_API_BASE = "https://openapi.zalo.me"
ZALO_TOKEN_FILE = "zalo-tokens.json"
ZNS_SUBJECT_LIMIT, ZNS_TEXT_LIMIT = 100, 400
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=90)
REFRESH_WARN_DAYS = 14
MAX_LIFETIME_S = 10 * 366 * 86400


@dataclass(frozen=True)
class ZaloTokens:
    """The OA's current access token and its single-use refresh token, with their expiry when known."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime | None = None
    refresh_expires_at: dt.datetime | None = None


class TokenStore(Protocol):
    """Where the current token pair lives between runs; `save` must be atomic and durable."""

    def load(self) -> ZaloTokens | None:
        """The stored pair, or None before the first refresh."""
        ...

    def save(self, tokens: ZaloTokens) -> None:
        """Replace the stored pair atomically."""
        ...


class FileTokenStore:
    """A token pair in a JSON file readable by the service user only, replaced atomically (fsync + rename)."""

    def __init__(self, path: Path) -> None:
        """Store the pair at `path`."""
        self.path = path

    def load(self) -> ZaloTokens | None:
        """Read the stored pair, if any."""
        if not self.path.exists():
            return None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        register_secret(str(data["access_token"]))
        register_secret(str(data["refresh_token"]))
        return ZaloTokens(
            str(data["access_token"]),
            str(data["refresh_token"]),
            _moment(data.get("expires_at")),
            _moment(data.get("refresh_expires_at")),
        )

    def save(self, tokens: ZaloTokens) -> None:
        """Write to a private temporary file, flush it to disk, then rename it over the old one."""
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".zalo-tokens-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(_token_fields(tokens), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _token_fields(tokens: ZaloTokens) -> dict[str, str]:
    """The JSON fields of a stored pair; expiry times only when known (ISO 8601)."""
    fields = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}
    if tokens.expires_at is not None:
        fields["expires_at"] = tokens.expires_at.isoformat()
    if tokens.refresh_expires_at is not None:
        fields["refresh_expires_at"] = tokens.refresh_expires_at.isoformat()
    return fields


def _moment(value: object) -> dt.datetime | None:
    """A stored ISO 8601 time (naive ones are UTC); None when absent, as in files from older versions."""
    if not isinstance(value, str) or not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _lifetime(value: object) -> dt.timedelta | None:
    """A token lifetime given in seconds (Zalo sends numbers or numeric strings); None when unusable."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return dt.timedelta(seconds=seconds) if 0 < seconds < MAX_LIFETIME_S else None  # also drops nan, inf


def token_warnings(
    tokens: ZaloTokens | None, now: dt.datetime, *, within_days: int = REFRESH_WARN_DAYS
) -> list[str]:
    """Operator warnings about a missing pair or a refresh token expiring within `within_days` days."""
    if tokens is None:
        return ["Zalo OA chưa có access token và refresh token; người vận hành cần cấp quyền cho OA."]
    expires = tokens.refresh_expires_at
    if expires is None:  # an older token file or tokens from the environment: expiry unknown
        return []
    local = expires.astimezone(now.tzinfo or dt.UTC)
    day = local.strftime("%d/%m/%Y")
    if expires <= now:
        return [
            f"Refresh token Zalo đã hết hạn hoặc bị Zalo từ chối (ngày {day}); tin nhắn Zalo không gửi "
            "được cho tới khi người vận hành cấp quyền lại cho OA."
        ]
    days_left = (local.date() - now.date()).days
    if days_left > within_days:
        return []
    when = "hôm nay" if days_left <= 0 else f"sau {days_left} ngày"
    return [
        f"Refresh token Zalo sẽ hết hạn {when} (ngày {day}); người vận hành cần cấp quyền lại cho OA "
        "trước thời hạn này."
    ]


@register
class ZaloChannel:
    """Send plain-text customer-service messages to OA followers within the 48-hour window."""

    name: ClassVar[str] = "zalo"
    part_limit: ClassVar[int | None] = 2000
    max_tags: ClassVar[int | None] = None

    def __init__(
        self,
        settings: ZaloConfig,
        *,
        secret_key: str,
        tokens: TokenStore,
        initial: ZaloTokens | None,
        last_interaction: Callable[[str], dt.datetime | None],
        clock: Callable[[], dt.datetime],
        client: httpx.Client | None = None,
        zns_base: str = ZNS_BASE,
    ) -> None:
        """Keep settings and collaborators; `initial` seeds the store from the environment."""
        if not settings.app_id or not secret_key:
            raise NotConfiguredError("thiếu app_id hoặc khóa bí mật của Zalo OA")
        self.settings = settings
        self._secret_key = secret_key
        register_secret(secret_key)
        self.tokens = tokens
        self.initial = initial
        self.last_interaction = last_interaction
        self.clock = clock
        self.client = client or httpx.Client(timeout=TIMEOUT_S)
        self.zns_base = zns_base


    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> ZaloChannel:
        """The OA's keys from the environment, its rotating tokens in a private file of the output folder."""
        settings = config.channels.zalo
        access, refresh = secret(settings.access_token_env), secret(settings.refresh_token_env)
        return cls(
            settings,
            secret_key=secret(settings.secret_key_env) or "",
            tokens=FileTokenStore(context.output_dir / ZALO_TOKEN_FILE),
            initial=ZaloTokens(access, refresh) if access and refresh else None,
            last_interaction=last_interaction_reader(context.sessions),
            clock=context.clock,
            zns_base=zns_base(settings.api_base),
        )

    @redacted_errors
    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one part (as a ZNS template outside the window when one is configured); refresh the
        access token once and retry once when it has expired."""
        post = self._post_message
        if not self._in_window(message.address):
            if not self.settings.zns_template_id:
                raise MessageHeldError(OUTSIDE_WINDOW)
            post = self._post_zns
        tokens = self._current()
        try:
            return post(tokens.access_token, message)
        except TokenExpiredError:
            log.info("zalo access token expired; refreshing")
        try:
            return post(self._refresh(tokens).access_token, message)
        except TokenExpiredError:
            raise RetryLaterError("Zalo vẫn từ chối access token mới") from None

    def _in_window(self, user_id: str) -> bool:
        """Whether the user interacted with the OA in the last 48 hours (so CS messages may be sent)."""
        last = self.last_interaction(user_id)
        return last is not None and self.clock() - last <= WINDOW

    def _current(self) -> ZaloTokens:
        """The stored pair, seeding the store from the environment the first time."""
        stored = self.tokens.load()
        if stored is not None:
            return stored
        if self.initial is None:
            raise MessageHeldError("chưa có access token Zalo; người vận hành cần cấp quyền cho OA")
        self.tokens.save(self.initial)
        return self.initial

    def _post_message(self, access_token: str, message: OutgoingMessage) -> SendResult:
        """POST /v3.0/oa/message/cs and interpret the answer (HTTP status and `error` field)."""
        payload = {"recipient": {"user_id": message.address}, "message": {"text": message.body}}
        response = self._request(
            "POST",
            f"{self.settings.api_base.rstrip('/')}/v3.0/oa/message/cs",
            headers={"access_token": access_token},
            json=payload,
        )
        data = _accepted(response)
        return SendResult(provider_id=str(data.get("message_id")) if data else None)

    def _post_zns(self, access_token: str, message: OutgoingMessage) -> SendResult:
        """Send a ZNS template message to the phone the follower shared with the OA."""
        phone = self._shared_phone(access_token, message.address)
        payload = {
            "phone": phone,
            "template_id": self.settings.zns_template_id,
            "template_data": zns_data(message),
            "tracking_id": message.key[:48],
        }
        response = self._request(
            "POST",
            f"{self.zns_base.rstrip('/')}/message/template",
            headers={"access_token": access_token},
            json=payload,
        )
        data = _accepted(response)
        log.info("zalo message sent as a ZNS template (outside the 48-hour window)")
        return SendResult(provider_id=str(data.get("msg_id")) if data else None)

    def _shared_phone(self, access_token: str, user_id: str) -> str:
        """The phone number a follower shared with the OA (user detail), or hold the message."""
        response = self._request(
            "GET",
            f"{self.settings.api_base.rstrip('/')}/v3.0/oa/user/detail",
            headers={"access_token": access_token},
            params={"data": json.dumps({"user_id": user_id})},
        )
        shared = (_accepted(response) or {}).get("shared_info")
        phone = str(shared.get("phone") or "") if isinstance(shared, dict) else ""
        if not phone:
            raise MessageHeldError("người nhận ngoài 48 giờ và chưa chia sẻ số điện thoại cho OA để nhận ZNS")
        return phone

    def _refresh(self, old: ZaloTokens) -> ZaloTokens:
        """Exchange the single-use refresh token; store the new pair before returning it for use."""
        response = self._request(
            "POST",
            f"{self.settings.oauth_base.rstrip('/')}/v4/oa/access_token",
            headers={"secret_key": self._secret_key},
            data={
                "refresh_token": old.refresh_token,
                "app_id": self.settings.app_id,
                "grant_type": "refresh_token",
            },
        )
        body = _json(response)
        if "access_token" not in body or "refresh_token" not in body:
            code = int(body.get("error", -1))
            if code == REUSED_REFRESH_TOKEN:
                self.tokens.save(replace(old, refresh_expires_at=self.clock()))  # unusable from now on
                raise MessageHeldError(
                    "refresh token Zalo đã dùng hoặc hết hạn; người vận hành cần cấp quyền lại cho OA"
                )
            raise RetryLaterError(f"làm mới access token Zalo thất bại (mã {code})")
        fresh = fresh_tokens(body, self.clock())
        self.tokens.save(fresh)
        log.info("zalo tokens refreshed and stored")
        return fresh

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request; network errors and 5xx answers become retryable errors."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise RetryLaterError(f"lỗi mạng khi gọi Zalo: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise RetryLaterError(f"Zalo trả lời HTTP {response.status_code}")
        return response


def fresh_tokens(body: dict[str, Any], now: dt.datetime) -> ZaloTokens:
    """The pair of a refresh answer with its expiry times (the refresh token's 90 days when not given)."""
    access_life = _lifetime(body.get("expires_in"))
    refresh_life = _lifetime(body.get("refresh_token_expires_in")) or REFRESH_TOKEN_LIFETIME
    return ZaloTokens(
        str(body["access_token"]),
        str(body["refresh_token"]),
        now + access_life if access_life else None,
        now + refresh_life,
    )


def _accepted(response: httpx.Response) -> dict[str, Any] | None:
    """The `data` of a successful answer; expired tokens and non-zero errors raise."""
    if response.status_code == 401:
        raise TokenExpiredError()
    body = _json(response)
    error = int(body.get("error", -1))
    if error == EXPIRED_TOKEN:
        raise TokenExpiredError()
    if error != 0:
        raise _classify(error, str(body.get("message", "")))
    data = body.get("data")
    return data if isinstance(data, dict) else None


def zns_data(message: OutgoingMessage) -> dict[str, str]:
    """The ZNS template parameters: the subject and the text as one shortened line each."""
    text = " ".join(plain(message.body).split())
    if len(text) > ZNS_TEXT_LIMIT:
        text = text[: ZNS_TEXT_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return {"tieu_de": " ".join(message.subject.split())[:ZNS_SUBJECT_LIMIT], "noi_dung": text}


def _json(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; anything else is a retryable error."""
    try:
        body = response.json()
    except ValueError:
        raise RetryLaterError(f"Zalo trả lời không phải JSON (HTTP {response.status_code})") from None
    if not isinstance(body, dict):
        raise RetryLaterError("Zalo trả lời JSON không đúng dạng")
    return body


def _classify(error: int, text: str) -> Exception:
    """Our error for a non-zero Zalo `error`: held, retried later, or permanent."""
    described = f"Zalo báo lỗi {error}: {text[:200]}"
    if error in OUTSIDE_WINDOW_ERRORS:
        return MessageHeldError(described)
    if error in RATE_LIMIT_ERRORS:
        return RetryLaterError(described)
    return PermanentDeliveryError(described)


def last_interaction_reader(sessions: sessionmaker[Session]) -> Callable[[str], dt.datetime | None]:
    """A lookup of a Zalo user's last interaction with the OA, read from the stored addresses."""

    def read(user_id: str) -> dt.datetime | None:
        """The latest interaction time recorded for this Zalo user id."""
        with sessions() as session:
            return last_interaction(session, "zalo", user_id)

    return read


def zns_base(api_base: str) -> str:
    """ZNS lives on its own host in production; a local or proxied OA API serves it on the same base."""
    return ZNS_BASE if api_base.rstrip("/") == ZALO_API_BASE else api_base
