"""The Telegram bot's command menu (the "/" button): set once when the bot starts answering.

Telegram shows each command with its description in the chat's menu; the descriptions are the
Vietnamese of `onboarding.HELP`, so a unit head who never read the help still finds the commands.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError

log = logging.getLogger(__name__)

MENU = (
    ("viec", "Nhiệm vụ đang thực hiện của đơn vị"),
    ("quahan", "Nhiệm vụ đã quá hạn"),
    ("tuannay", "Nhiệm vụ đến hạn trong tuần này"),
    ("xong", "Báo đã hoàn thành: /xong N [ghi chú], N là số thứ tự trong bản tin"),
    ("dang", "Báo đang thực hiện: /dang N ghi chú tiến độ"),
    ("giahan", "Đề nghị gia hạn: /giahan N NGÀY/THÁNG/NĂM lý do"),
    ("start", "Đăng ký nhận nhắc việc bằng mã mời"),
    ("huy", "Hủy nhận nhắc việc qua kênh này"),
)
MENU_TIMEOUT_S = 15


def set_command_menu(token: str, api_base: str) -> bool:
    """Set the bot's command menu; a failure is logged (the bot still answers) and returns False."""
    try:
        return asyncio.run(asyncio.wait_for(_set(token, api_base), timeout=MENU_TIMEOUT_S))
    except (TelegramError, TimeoutError, OSError) as exc:
        log.warning("could not set the telegram command menu: %s", type(exc).__name__)
        return False


async def _set(token: str, api_base: str) -> bool:
    """One setMyCommands call with the Vietnamese menu."""
    async with Bot(token, base_url=api_base.rstrip("/") + "/bot") as bot:
        return bool(await bot.set_my_commands([BotCommand(name, text) for name, text in MENU]))
