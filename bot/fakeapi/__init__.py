"""A small Bot API server on 127.0.0.1 for the tests and the terminal demo."""

from bot.fakeapi.server import BotMessage, Call, FakeBotApi

__all__ = ["BotMessage", "Call", "FakeBotApi"]
