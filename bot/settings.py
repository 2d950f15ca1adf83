"""Configuration: one pydantic-settings class, read from CASENOTES_* variables and .env."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from conversations.template import TemplateError, templates_in


def _read_secret(path: Path) -> str:
    """Read a one-line secret file (a trailing newline is not part of it)."""
    try:
        text = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not text:
        raise ValueError(f"{path} is empty")
    return text


#: What Telegram accepts as a webhook secret token.
#: Telegram allows 1 to 256 of these characters; fewer than 16 could be guessed.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


class Settings(BaseSettings):
    """Everything the bot needs to start; secrets are SecretStr and never printed."""

    model_config = SettingsConfigDict(env_prefix="CASENOTES_", env_file=".env", extra="ignore")

    #: Where notes live (an SQLAlchemy URL): SQLite by default, postgresql+asyncpg://...
    database_url: str = "sqlite+aiosqlite:///./data/casenotes.db"
    #: A file holding the database password (a Docker secret), put into the URL escaped.
    database_password_file: Path | None = None
    #: The key file (mode 0600): without it no note can be read again.
    keys_file: Path = Path("./data/keys.json")
    #: The token from @BotFather; not needed for `casenotes demo`.
    telegram_token: SecretStr | None = None
    #: A file holding the token (a Docker secret), instead of TELEGRAM_TOKEN.
    telegram_token_file: Path | None = None
    #: Bot API base URL; the token is appended.
    telegram_api_url: str = "https://api.telegram.org/bot"
    #: Timezone for new workers (each can change theirs in /settings).
    default_timezone: str = "Europe/London"
    #: The bot's @username for invite links; looked up with the token when not set.
    bot_username: str | None = None
    #: DEBUG, INFO, WARNING, ERROR or CRITICAL, any case.
    log_level: str = "INFO"
    #: Log lines as "text" or "json" (one object a line, with a request id per update).
    log_format: str = "text"
    #: A folder of the organisation's own template files, offered beside the shipped ones.
    templates_dir: Path | None = None
    #: The template a worker's notes use until they choose another in /settings.
    default_template: str = "peer_support"
    #: Years after a participant's last session (or, without one, their record's creation)
    #: before `casenotes retention` lists their record as due for erasure.
    retention_years: int = 7
    #: `run --webhook`: the public https:// address Telegram posts updates to (the reverse
    #: proxy's); http:// only for localhost.
    webhook_url: str | None = None
    #: `run --webhook`: the address the bot's own web server listens on (behind the proxy).
    webhook_listen: str = "127.0.0.1"
    #: `run --webhook`: the port the bot's own web server listens on (1 to 65535).
    webhook_port: int = 8443
    #: `run --webhook`: the path updates arrive on locally; default: WEBHOOK_URL's path.
    webhook_path: str | None = None
    #: `run --webhook`: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; anything else is
    #: refused (403). 1 to 256 characters of A-Z, a-z, 0-9, _ and -.
    webhook_secret: SecretStr | None = None

    @field_validator("telegram_token_file", "database_password_file", mode="before")
    @classmethod
    def _empty_file_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("telegram_token_file", "database_password_file")
    @classmethod
    def _secret_readable(cls, value: Path | None) -> Path | None:
        if value is not None:
            _read_secret(value)
        return value

    @model_validator(mode="after")
    def _secrets_from_files(self) -> Settings:
        """Take the token and database password from files (Docker secrets) when named; the
        password goes into the URL through SQLAlchemy, escaped, never by pasting strings."""
        if self.telegram_token_file is not None:
            if self.telegram_token is not None and self.telegram_token.get_secret_value():
                raise ValueError(
                    "set CASENOTES_TELEGRAM_TOKEN or CASENOTES_TELEGRAM_TOKEN_FILE, not both"
                )
            self.telegram_token = SecretStr(_read_secret(self.telegram_token_file))
        if self.database_password_file is not None:
            url = make_url(self.database_url)
            if url.password:
                raise ValueError(
                    "CASENOTES_DATABASE_URL already holds a password; drop it or drop "
                    "CASENOTES_DATABASE_PASSWORD_FILE"
                )
            password = _read_secret(self.database_password_file)
            self.database_url = url.set(password=password).render_as_string(hide_password=False)
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL (any case)")
        return level

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        fmt = value.strip().lower()
        if fmt not in ("text", "json"):
            raise ValueError("use text or json")
        return fmt

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

    @field_validator("webhook_url", "webhook_path", "webhook_secret", mode="before")
    @classmethod
    def _empty_webhook_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not parts.hostname or parts.scheme not in (("http", "https") if local else ("https",)):
            raise ValueError("use an https:// address (http:// only for localhost)")
        return value

    @field_validator("webhook_port")
    @classmethod
    def _real_port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("use a port from 1 to 65535")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("/") or value == "/healthz"):
            raise ValueError("use a path starting with / (and not /healthz)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                "use 16 to 256 characters of A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 24`)"
            )
        return value
