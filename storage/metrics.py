"""Count the SQL statements and decryptions a piece of work costs (benchmarks and tests)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from storage.service import Storage


class QueryCounter:
    """Count statements sent to the database and values decrypted while the block runs.

    ``with QueryCounter(storage) as c: ...`` then read ``c.statements`` and ``c.decrypts``.
    Everything on the engine and key ring is counted, so run nothing else concurrently.
    An ``executemany`` counts once: it is one round trip. BEGIN and COMMIT are not counted.
    """

    def __init__(self, storage: Storage) -> None:
        self._engine = storage.engine.sync_engine
        self._ring = storage.ring
        self._opens_before = 0
        self._opens_after: int | None = None
        self.statements = 0
        #: The statements' SQL, in order, to show what was counted when a budget is exceeded.
        self.sql: list[str] = []

    @property
    def decrypts(self) -> int:
        """Return how many values were decrypted so far (or in the finished block)."""
        end = self._ring.opens if self._opens_after is None else self._opens_after
        return end - self._opens_before

    def _on_execute(self, *args: Any) -> None:
        self.statements += 1
        self.sql.append(str(args[2]))

    def __enter__(self) -> QueryCounter:
        self.statements, self.sql = 0, []
        self._opens_before, self._opens_after = self._ring.opens, None
        event.listen(self._engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._on_execute)
        self._opens_after = self._ring.opens
