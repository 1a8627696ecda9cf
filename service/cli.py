"""The command line's shared pieces: argparse in Vietnamese, --config everywhere, dates, the version."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, NoReturn

from crawler.config import Config, find_config_path, load_config
from crawler.errors import DondocError
from crawler.redaction import protect_config

DEMO_AS_OF = dt.date(2025, 10, 1)


def parse_date(value: str) -> dt.date:
    """argparse type for --as-of and friends: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ '{value}', cần dạng YYYY-MM-DD") from exc


def load_cli_config(args: argparse.Namespace) -> Config:
    """The config named by --config / DONDOC_CONFIG / ./dondoc.toml, or the built-in defaults; the
    secrets it names are masked in every log record from here on."""
    path = find_config_path(getattr(args, "config", None))
    config = load_config(path) if path else Config()
    protect_config(config)
    return config


def serving_config(args: argparse.Namespace) -> Config:
    """The config of a long-running command (bot poll, bot webhook, web): logging set up at the asked
    verbosity and the database migrated before anything serves."""
    import logging

    from service.context import open_session
    from service.logs import configure_logging

    config = load_cli_config(args)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO, config.service.log_json)
    with open_session(config.database_url()):
        pass  # migrations first
    return config


def configured_database_url(args: argparse.Namespace) -> str | None:
    """The database URL of the command's config, or None when the config cannot be read."""
    try:
        return load_cli_config(args).database_url()
    except (DondocError, OSError):
        return None


class VietnameseHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the usage line in Vietnamese, so help reads in one language."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        """Prefix the usage line with "Cách dùng:" instead of argparse's English "usage:"."""
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class VietnameseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and section titles are in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Use the Vietnamese formatter, a Vietnamese -h text and section titles."""
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        """Report a command-line mistake in one Vietnamese line and exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi: tham số không hợp lệ: {translate_argparse(message)}\n")


ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: ", "thiếu tham số bắt buộc: "),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"lựa chọn không hợp lệ: \1 (chọn một trong: \2)"),
    (r"unrecognized arguments: ", "tham số không nhận ra: "),
    (r"expected one argument", "cần một giá trị"),
    (r"expected at least one argument", "cần ít nhất một giá trị"),
    (r"not allowed with argument ", "không dùng cùng tham số "),
    (r"ambiguous option: (.*) could match (.*)", r"tùy chọn mơ hồ: \1 có thể là \2"),
    (r"invalid (\w+) value: ", r"giá trị \1 không hợp lệ: "),
    (r"^argument (.*?): ", r"tham số \1: "),
)


def translate_argparse(message: str) -> str:
    """argparse's English error message with its known phrases put into Vietnamese."""
    import re

    for pattern, replacement in ARGPARSE_MESSAGES:
        message = re.sub(pattern, replacement, message)
    return message


def dondoc_version() -> str:
    """The installed package's version (or "?" when running from an uninstalled tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dondoc")
    except PackageNotFoundError:
        return "?"


def accept_config_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let every subcommand take --config after its name too (`dondoc status --config f`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                subparser.add_argument("--config", default=argparse.SUPPRESS,
                                       help="tệp cấu hình TOML (như --config trước tên lệnh)")
                accept_config_everywhere(subparser)
