"""Log lines as text or JSON, each tagged with the update being processed.

What we log is kinds and ids only, never note content or names; the request id lets an
operator follow one update through every line it caused, across concurrent workers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

#: (request id, update id) of the update this task is processing, if any.
current_request: contextvars.ContextVar[tuple[str, int | None] | None] = contextvars.ContextVar(
    "casenotes_request", default=None
)


@contextmanager
def request_scope(update_id: int | None) -> Iterator[str]:
    """Tag every log line inside with a fresh request id (and the update id)."""
    request_id = secrets.token_hex(6)
    token = current_request.set((request_id, update_id))
    try:
        yield request_id
    finally:
        current_request.reset(token)


class RequestIdFilter(logging.Filter):
    """Copy the current request id and update id onto each record (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id, record.update_id = request or (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, update id."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "update_id"):
            if getattr(record, key, None) is not None:
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format, with ``[request id]`` when the line belongs to an update."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{text} [{request_id}]" if request_id else text


class MigrationChatter(logging.Filter):
    """Keep Alembic's "Running upgrade" lines; drop the two it prints on every start."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Context impl", "Will assume"))
