"""Configuration: one pydantic-settings class, read from CASENOTES_* variables and .env."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.template import TemplateError, templates_in


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
    #: A folder of the organisation's own template files, offered beside the shipped ones.
    templates_dir: Path | None = None
    #: The template a worker's notes use until they choose another in /settings.
    default_template: str = "peer_support"
    #: Years after a participant's last session (or, without one, their record's creation)
    #: before `casenotes retention` lists their record as due for erasure.
    retention_years: int = 7

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL (any case)")
        return level

    @field_validator("retention_years")
    @classmethod
    def _sane_retention(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("use a whole number of years from 1 to 100")
        return value

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

    @field_validator("templates_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("templates_dir")
    @classmethod
    def _templates_load(cls, value: Path | None) -> Path | None:
        try:
            templates_in(value)
        except TemplateError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("default_template")
    @classmethod
    def _known_template(cls, value: str, info: ValidationInfo) -> str:
        if "templates_dir" not in info.data:
            return value  # the folder itself is wrong; that error is the one to read
        known = templates_in(info.data["templates_dir"])
        if value not in known:
            raise ValueError(f"no template called {value!r} (there are: {', '.join(known)})")
        return value
