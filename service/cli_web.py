"""The web application's commands: `dondoc web` (serve it), `dondoc web link` (a unit head's personal
link), `dondoc web feeds` (each recipient's calendar feed) and `dondoc user add` (an account)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os

from crawler.errors import ConfigError, DondocError
from service.cli import load_cli_config, serving_config
from service.context import now, open_session

log = logging.getLogger(__name__)
PASSWORD_ENV = "DONDOC_WEB_PASSWORD"
MIN_PASSWORD = 10


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the web application until SIGTERM/SIGINT ([web] host and port, 127.0.0.1:8790 by default;
    put nginx in front)."""
    from crawler.storage.engine import make_engine
    from service.http_server import serve_in_foreground, web_app_for

    config = serving_config(args)
    web = config.web
    app = web_app_for(config, make_engine(config.database_url()), as_of=args.as_of,
                      https_only=args.https_only or web.https_only)
    host = args.host or web.host
    port = args.port if args.port is not None else web.port
    return serve_in_foreground(app, host, port, what="trang web dondoc",
                               banner="Trang web dondoc: {url}/ (Ctrl+C để dừng)")


def cmd_web_link(args: argparse.Namespace) -> int:
    """Print a new personal link that opens one unit's pages (valid --days days)."""
    from crawler.storage.webaccess import UNIT_LINK, issue_token, unit_id_of

    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        unit_id = unit_id_of(session, args.unit)
        if unit_id is None:
            raise ConfigError(f"không có đơn vị “{args.unit}” trong cơ sở dữ liệu "
                              "(ghi đúng tên như [[units]])")
        token = issue_token(session, UNIT_LINK, now(), unit_id=unit_id, valid_days=args.days)
        session.commit()
    link = f"{args.base.rstrip('/')}/lien-ket/{token}"
    print(f"Liên kết cá nhân của {args.unit} (hiệu lực {args.days} ngày): {link}")
    return 0


def cmd_web_feeds(args: argparse.Namespace) -> int:
    """Issue and print a calendar feed path per recipient (each run makes new ones; old ones stay valid
    until revoked)."""
    from crawler.storage.recipients import recipient_id, recipient_names
    from crawler.storage.webaccess import CALENDAR_LINK, issue_token

    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        for name in recipient_names(session):
            token = issue_token(session, CALENDAR_LINK, now(), recipient_id=recipient_id(session, name))
            print(f"{name}: /lich/{token}.ics")
        session.commit()
    return 0


def cmd_web_revoke(args: argparse.Namespace) -> int:
    """Revoke a personal link or calendar token."""
    from crawler.storage.webaccess import revoke_token

    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        found = revoke_token(session, args.token, now())
        session.commit()
    if not found:
        raise DondocError("không có liên kết nào với mã này")
    print("Đã thu hồi liên kết.")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create (or reset) an editor or operator account; the password from DONDOC_WEB_PASSWORD or asked."""
    from crawler.storage.webaccess import add_user
    from web.auth import hash_password

    password = os.environ.get(PASSWORD_ENV) or _ask_password()
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        add_user(session, args.name, args.role, hash_password(password), now())
        session.commit()
    print(f"Đã tạo tài khoản {args.name} ({ROLE_NAMES[args.role]}).")
    return 0


ROLE_NAMES = {"editor": "biên tập viên", "operator": "người vận hành"}


def _ask_password() -> str:
    """The password typed twice at the terminal."""
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ConfigError("hai lần nhập mật khẩu không khớp")
    return first


def add_web_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`dondoc web [link|feeds|revoke]` and `dondoc user add`."""
    from service.cli import VietnameseArgumentParser, parse_date

    web = commands.add_parser("web", help="trang web cho đơn vị, biên tập viên và người vận hành")
    web.add_argument("--host", help="địa chỉ lắng nghe (mặc định [web] host, 127.0.0.1)")
    web.add_argument("--port", type=int, help="cổng (mặc định [web] port, 8790)")
    web.add_argument("--as-of", type=parse_date, help="ngày \"hôm nay\" (YYYY-MM-DD)")
    web.add_argument("--https-only", action="store_true", help="cookie phiên chỉ gửi qua HTTPS")
    web.set_defaults(handler=cmd_web)
    sub = web.add_subparsers(dest="web_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    link = sub.add_parser("link", help="tạo liên kết cá nhân mở trang của một đơn vị")
    link.add_argument("--unit", required=True, help="tên đơn vị")
    link.add_argument("--days", type=int, default=30, help="số ngày hiệu lực (mặc định 30)")
    link.add_argument("--base", default="", help="địa chỉ gốc của trang web, ví dụ https://dondoc.example.vn")
    link.set_defaults(handler=cmd_web_link)
    feeds = sub.add_parser("feeds", help="tạo và in đường dẫn lịch (.ics) của từng người nhận")
    feeds.set_defaults(handler=cmd_web_feeds)
    revoke = sub.add_parser("revoke", help="thu hồi một liên kết cá nhân hoặc lịch")
    revoke.add_argument("token", metavar="MÃ", help="mã trong liên kết")
    revoke.set_defaults(handler=cmd_web_revoke)

    user = commands.add_parser("user", help="tài khoản trang web")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="LỆNH",
                                   parser_class=VietnameseArgumentParser)
    add = user_sub.add_parser("add", help="tạo tài khoản biên tập viên hoặc người vận hành")
    add.add_argument("name", metavar="TÊN", help="tên đăng nhập")
    add.add_argument("--role", required=True, choices=("editor", "operator"),
                     help="vai trò: editor hoặc operator")
    add.set_defaults(handler=cmd_user_add)
