"""Zalo outside the 48-hour window: a ZNS template to the follower's shared phone when one is configured."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fake_apis import Reply, Request, serve

from crawler.config import ZaloConfig
from crawler.errors import MessageHeldError
from notifier.channels.base import OutgoingMessage
from notifier.channels.zalo import ZNS_BASE, FileTokenStore, ZaloChannel, ZaloTokens, zns_base

NOW = dt.datetime(2025, 10, 20, 1, 0, tzinfo=dt.UTC)
PHONES = {"u-1": 84912345678, "u-2": None}


class OaWithZns:
    """The OA API's user detail and message endpoints, and the ZNS template endpoint."""

    def __init__(self) -> None:
        """Access token A1 is valid until `expire` is set, then A2 (after a refresh)."""
        self.valid = "A1"
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Reply:
        """Route the request; a stale token answers -216."""
        self.requests.append(request)
        if request.path == "/v4/oa/access_token":
            self.valid = "A2"
            return 200, {"access_token": "A2", "refresh_token": "R2", "expires_in": "90000"}
        if request.headers.get("access_token") != self.valid:
            return 200, {"error": -216, "message": "Access token is invalid"}
        if request.path == "/v3.0/oa/user/detail":
            user = request.params["data"].split('"')[3]
            phone = PHONES[user]
            shared = {"phone": phone, "name": "Lan"} if phone else {}
            return 200, {"error": 0, "message": "Success", "data": {"user_id": user, "shared_info": shared}}
        if request.path == "/message/template":
            return 200, {"error": 0, "message": "Success", "data": {"msg_id": "zns-1", "sent_time": "1"}}
        return 200, {"error": 0, "message": "Success", "data": {"message_id": "cs-1"}}


def _channel(base: str, tmp_path: Path, last: dt.datetime, template: str = "331122") -> ZaloChannel:
    """A Zalo channel with a ZNS template, every user last seen at `last`."""
    settings = ZaloConfig(app_id="app-1", api_base=base, oauth_base=base, zns_template_id=template)
    return ZaloChannel(
        settings,
        secret_key="oa-secret",
        tokens=FileTokenStore(tmp_path / "tokens.json"),
        initial=ZaloTokens("A1", "R1"),
        last_interaction=lambda user: last,
        clock=lambda: NOW,
        zns_base=base,
    )


def _message(user: str) -> OutgoingMessage:
    """A digest part for a Zalo user, longer than a ZNS parameter allows."""
    body = "Quá hạn (1 nhiệm vụ)\x1e\n" + "Triển khai nhiệm vụ được giao tại Mục V; " * 20
    return OutgoingMessage("k" * 64, "zalo", user, "[dondoc] Bản tin hằng ngày 20/10/2025", body)


def test_outside_the_window_sends_a_zns_template_to_the_shared_phone(tmp_path: Path) -> None:
    """Three days after the last interaction the digest goes out as ZNS, parameters shortened."""
    api = OaWithZns()
    with serve(api) as server:
        result = _channel(server.base_url, tmp_path, NOW - dt.timedelta(days=3)).send(_message("u-1"))
    assert result.provider_id == "zns-1"
    zns = api.requests[-1]
    assert zns.path == "/message/template" and zns.params["phone"] == "84912345678"
    assert zns.params["template_id"] == "331122" and zns.params["tracking_id"] == "k" * 48
    data = zns.params["template_data"]
    assert data["tieu_de"] == "[dondoc] Bản tin hằng ngày 20/10/2025"
    assert data["noi_dung"].startswith("Quá hạn (1 nhiệm vụ) Triển khai") and len(data["noi_dung"]) <= 400
    assert data["noi_dung"].endswith("…")
    assert not any(r.path == "/v3.0/oa/message/cs" for r in api.requests)


def test_zns_refreshes_an_expired_token_once(tmp_path: Path) -> None:
    """An expired access token during the ZNS path is refreshed and the send retried."""
    api = OaWithZns()
    api.valid = "A2"
    with serve(api) as server:
        assert (
            _channel(server.base_url, tmp_path, NOW - dt.timedelta(days=3)).send(_message("u-1")).provider_id
        )
    assert [r.path for r in api.requests] == [
        "/v3.0/oa/user/detail",
        "/v4/oa/access_token",
        "/v3.0/oa/user/detail",
        "/message/template",
    ]


def test_without_a_shared_phone_or_template_the_message_is_held(tmp_path: Path) -> None:
    """No phone shared with the OA, or no template configured: held for the operator."""
    api = OaWithZns()
    with serve(api) as server:
        with pytest.raises(MessageHeldError, match="số điện thoại"):
            _channel(server.base_url, tmp_path, NOW - dt.timedelta(days=3)).send(_message("u-2"))
        with pytest.raises(MessageHeldError, match="48 giờ"):
            _channel(server.base_url, tmp_path, NOW - dt.timedelta(days=3), template="").send(_message("u-1"))
        inside = _channel(server.base_url, tmp_path, NOW - dt.timedelta(hours=1)).send(_message("u-1"))
    assert inside.provider_id == "cs-1"
    assert not any(r.path == "/message/template" for r in api.requests)


def test_zns_base_follows_the_api_base() -> None:
    """Production ZNS has its own host; a local OA API serves it on the same base."""
    assert zns_base("https://openapi.zalo.me") == ZNS_BASE
    assert zns_base("http://127.0.0.1:9000") == "http://127.0.0.1:9000"
