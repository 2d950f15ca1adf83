"""A small Bot API server on 127.0.0.1 for the tests and the terminal demo."""

from bot.fakeapi.html_check import check_html, parse_html, utf16_len
from bot.fakeapi.models import BotMessage, Call, ReplyKeyboard
from bot.fakeapi.server import FakeBotApi

__all__ = [
    "BotMessage",
    "Call",
    "FakeBotApi",
    "ReplyKeyboard",
    "check_html",
    "parse_html",
    "utf16_len",
]
