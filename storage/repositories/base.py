"""Shared plumbing for repositories: a session factory, the key ring and sealing helpers.

``audit`` (re-exported) appends to the hash-chained audit trail inside a transaction."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from storage.audit_chain import append as audit  # noqa: F401  (re-exported for repositories)
from storage.crypto import KeyRing
from storage.db import SessionFactory


def new_id() -> str:
    """Return a random row id, known before insert so it can bind the ciphertext."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Repository:
    """Holds what every repository needs; subclasses add one aggregate's queries."""

    def __init__(self, sessions: SessionFactory, ring: KeyRing) -> None:
        self.sessions = sessions
        self.ring = ring

    def seal_text(
        self, value: str | None, table: str, column: str, row_id: object, *, owner: int | None
    ) -> bytes | None:
        """Encrypt a string bound to its table, column, row and owning worker (None stays
        None). ``owner`` is None only for the unbound tables (see models.OWNER_COLUMNS)."""
        if value is None:
            return None
        return self.ring.seal(value.encode(), f"{table}.{column}.{row_id}", owner)

    def open_text(
        self, blob: bytes | None, table: str, column: str, row_id: object, *, owner: int | None
    ) -> str | None:
        """Decrypt a string sealed by seal_text; the owner must be the one it was sealed for."""
        if blob is None:
            return None
        return self.ring.open(blob, f"{table}.{column}.{row_id}", owner).decode()

    def seal_json(
        self, value: Any, table: str, column: str, row_id: object, *, owner: int | None
    ) -> bytes:
        """Encrypt a JSON-serialisable value."""
        return self.seal_json_as_stored(value, table, column, row_id, owner=owner)[0]

    def seal_json_as_stored(
        self, value: Any, table: str, column: str, row_id: object, *, owner: int | None
    ) -> tuple[bytes, Any]:
        """Encrypt a JSON value and also return it as it will read back (tuples become lists).

        Lets a repository hand back what it wrote without reading and decrypting it again.
        """
        text = json.dumps(value, separators=(",", ":"))
        sealed = self.ring.seal(text.encode(), f"{table}.{column}.{row_id}", owner)
        return sealed, json.loads(text)

    def open_json(
        self, blob: bytes, table: str, column: str, row_id: object, *, owner: int | None
    ) -> Any:
        """Decrypt a value sealed by seal_json."""
        return json.loads(self.ring.open(blob, f"{table}.{column}.{row_id}", owner))
