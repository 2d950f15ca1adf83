"""Configuration: one pydantic-settings class, read from CASENOTES_* variables and .env."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the bot needs to start; secrets are SecretStr and never printed."""

    model_config = SettingsConfigDict(env_prefix="CASENOTES_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./data/casenotes.db"
    keys_file: Path = Path("./data/keys.json")
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    default_timezone: str = "Europe/London"
    bot_username: str | None = None
    log_level: str = "INFO"

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name like Europe/London)"
            ) from None
        return value
