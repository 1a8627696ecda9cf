"""Zalo OA channel against a local server speaking the OA API shapes: errors in HTTP 200, token refresh."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from fake_apis import Reply, Request, serve

from crawler.config import ZaloConfig
from crawler.errors import MessageHeldError, PermanentDeliveryError
from notifier.channels.base import OutgoingMessage
from notifier.channels.zalo import FileTokenStore, ZaloChannel, ZaloTokens, fresh_tokens, token_warnings

NOW = dt.datetime(2025, 10, 1, 7, 30, tzinfo=dt.UTC)
SECRET = "oa-secret-key"


class OaApi:
    """Answers like openapi.zalo.me and oauth.zaloapp.com for scripted users and tokens."""

    def __init__(self, store: FileTokenStore) -> None:
        """Tokens "A1"/"R1" are valid at first; access tokens in `expired` are refused."""
        self.store = store
        self.valid_access = {"A1"}
        self.valid_refresh = {"R1"}
        self.expired_answer: Reply = (200, {"error": -216, "message": "Access token is invalid"})
        self.serial = itertools.count(2)
        self.sent: list[tuple[str, str]] = []
        self.stored_when_retried: list[ZaloTokens | None] = []

    def __call__(self, request: Request) -> Reply:
        """Route to the message or the token endpoint."""
        if request.path == "/v4/oa/access_token":
            return self.refresh(request)
        assert request.path == "/v3.0/oa/message/cs"
        token = request.headers.get("access_token")
        if token not in self.valid_access:
            return self.expired_answer
        self.stored_when_retried.append(self.store.load())
        user, text = request.params["recipient"]["user_id"], request.params["message"]["text"]
        if user == "blocked":
            return 200, {"error": -213, "message": "User has not followed the OA"}
        if len(text) > 2000:
            return 200, {"error": -201, "message": "text is too long"}
        self.sent.append((user, text))
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"message_id": f"m{len(self.sent)}", "user_id": user},
        }

    def refresh(self, request: Request) -> Reply:
        """Exchange a single-use refresh token for a new pair; a reused one answers -14020."""
        assert request.headers.get("secret_key") == SECRET
        assert request.params["grant_type"] == "refresh_token" and request.params["app_id"] == "app-1"
        token = request.params["refresh_token"]
        if token not in self.valid_refresh:
            return 200, {"error": -14020, "error_name": "Invalid refresh token"}
        self.valid_refresh.discard(token)
        n = next(self.serial)
        self.valid_access = {f"A{n}"}
        self.valid_refresh.add(f"R{n}")
        return 200, {"access_token": f"A{n}", "refresh_token": f"R{n}", "expires_in": "90000"}


def channel(
    base: str, store: FileTokenStore, last: dt.datetime | None = NOW - dt.timedelta(hours=1)
) -> ZaloChannel:
    """A Zalo channel on the local server; every user last interacted at `last`."""
    settings = ZaloConfig(app_id="app-1", api_base=base, oauth_base=base)
    return ZaloChannel(
        settings,
        secret_key=SECRET,
        tokens=store,
        initial=ZaloTokens("A1", "R1"),
        last_interaction=lambda user: last,
        clock=lambda: NOW,
    )


def pair(tokens: ZaloTokens | None) -> tuple[str, str] | None:
    """The access and refresh token of a stored pair, without expiry times."""
    return (tokens.access_token, tokens.refresh_token) if tokens else None


def message(user: str = "u1", text: str = "NHẮC VIỆC – Sở Tài chính") -> OutgoingMessage:
    """A one-part Zalo message."""
    return OutgoingMessage("k" * 64, "zalo", user, "", text)


def test_send_uses_access_token_header_and_v3_shape(tmp_path: Path) -> None:
    """The message goes to /v3.0/oa/message/cs with the access_token header; error 0 is success."""
    store = FileTokenStore(tmp_path / "zalo.json")
    api = OaApi(store)
    with serve(api) as server:
        result = channel(server.base_url, store).send(message())
        request = server.requests[0]
    assert result.provider_id == "m1" and api.sent == [("u1", "NHẮC VIỆC – Sở Tài chính")]
    assert request.headers["access_token"] == "A1" and "authorization" not in request.headers
    assert request.params == {"recipient": {"user_id": "u1"}, "message": {"text": "NHẮC VIỆC – Sở Tài chính"}}


def test_error_in_http_200_is_a_failure(tmp_path: Path) -> None:
    """HTTP 200 with a non-zero error is not a success."""
    store = FileTokenStore(tmp_path / "zalo.json")
    with serve(OaApi(store)) as server, pytest.raises(PermanentDeliveryError, match="-213"):
        channel(server.base_url, store).send(message("blocked"))


@pytest.mark.parametrize("expired", [(200, {"error": -216, "message": "expired"}), (401, {"error": 401})])
def test_expired_token_refreshes_once_stores_rotated_pair_first(tmp_path: Path, expired: Reply) -> None:
    """-216 or 401: refresh with the single-use token, store the new pair, then retry once; the next
    expiry uses the rotated refresh token."""
    store = FileTokenStore(tmp_path / "zalo.json")
    api = OaApi(store)
    api.expired_answer = expired
    with serve(api) as server:
        zalo = channel(server.base_url, store)
        zalo.send(message())
        api.valid_access = {"A9"}  # the server expires A1
        zalo.send(message("u2"))
        assert pair(store.load()) == ("A2", "R2")
        assert pair(api.stored_when_retried[-1]) == ("A2", "R2")  # stored before the retry
        api.valid_access = {"A9"}
        zalo.send(message("u3"))
    assert store.load() == ZaloTokens(
        "A3", "R3", NOW + dt.timedelta(seconds=90000), NOW + dt.timedelta(days=90)
    )
    assert [user for user, _ in api.sent] == ["u1", "u2", "u3"]
    assert (tmp_path / "zalo.json").stat().st_mode & 0o777 == 0o600


def test_reused_refresh_token_needs_operator(tmp_path: Path) -> None:
    """-14020 on refresh: the message is held; the stored pair stays, its refresh token marked unusable."""
    store = FileTokenStore(tmp_path / "zalo.json")
    store.save(ZaloTokens("A0", "R0"))
    with serve(OaApi(store)) as server, pytest.raises(MessageHeldError, match="cấp quyền lại"):
        channel(server.base_url, store).send(message())
    assert store.load() == ZaloTokens("A0", "R0", None, NOW)
    assert "đã hết hạn hoặc bị Zalo từ chối" in token_warnings(store.load(), NOW)[0]


def test_outside_48_hours_is_held_without_calling_zalo(tmp_path: Path) -> None:
    """No interaction in the last 48 hours (or never): held, nothing sent."""
    store = FileTokenStore(tmp_path / "zalo.json")
    with serve(OaApi(store)) as server:
        for last in (NOW - dt.timedelta(hours=49), None):
            with pytest.raises(MessageHeldError, match="48 giờ"):
                channel(server.base_url, store, last).send(message())
        assert server.requests == []


def test_refresh_answer_gives_expiry_times() -> None:
    """expires_in (a string or a number) dates the access token; the refresh token gets its own lifetime
    when the answer gives one, 90 days otherwise."""
    answer = {"access_token": "A", "refresh_token": "R", "expires_in": 3600}
    given = fresh_tokens({**answer, "refresh_token_expires_in": "86400"}, NOW)
    assert given == ZaloTokens("A", "R", NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=1))
    default = fresh_tokens({"access_token": "A", "refresh_token": "R", "expires_in": "bad"}, NOW)
    assert default == ZaloTokens("A", "R", None, NOW + dt.timedelta(days=90))


def test_old_token_file_without_expiry_stays_readable(tmp_path: Path) -> None:
    """A file written before expiry times were recorded loads with unknown expiry; new ones round-trip."""
    path = tmp_path / "zalo.json"
    path.write_text('{"access_token": "A0", "refresh_token": "R0"}', encoding="utf-8")
    store = FileTokenStore(path)
    assert store.load() == ZaloTokens("A0", "R0")
    dated = ZaloTokens("A1", "R1", NOW + dt.timedelta(hours=25), NOW + dt.timedelta(days=90))
    store.save(dated)
    assert store.load() == dated


def test_token_warnings_only_for_refresh_token_or_missing_pair() -> None:
    """An expired access token is refreshed on its own (no warning); a refresh token expiring within the
    window, an expired one and a missing pair are; an unknown expiry is not."""
    soon = NOW + dt.timedelta(days=10)
    stale_access = ZaloTokens("A", "R", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=60))
    assert token_warnings(stale_access, NOW) == []
    assert token_warnings(ZaloTokens("A", "R"), NOW) == []
    [warning] = token_warnings(ZaloTokens("A", "R", None, soon), NOW)
    assert "sẽ hết hạn sau 10 ngày (ngày 11/10/2025)" in warning
    assert token_warnings(ZaloTokens("A", "R", None, soon), NOW, within_days=7) == []
    assert "hôm nay" in token_warnings(ZaloTokens("A", "R", None, NOW + dt.timedelta(hours=2)), NOW)[0]
    assert "đã hết hạn" in token_warnings(ZaloTokens("A", "R", None, NOW - dt.timedelta(days=1)), NOW)[0]
    assert "chưa có access token" in token_warnings(None, NOW)[0]
    later = NOW + dt.timedelta(hours=12)  # the same day: the same text, so the operator notice dedupes
    assert token_warnings(ZaloTokens("A", "R", None, soon), later) == token_warnings(
        ZaloTokens("A", "R", None, soon), NOW
    )
