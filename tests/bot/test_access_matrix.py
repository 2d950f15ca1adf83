"""The access matrix: every read path, tried by every kind of reader, on SQLite and PostgreSQL.

A participant's record is tried by its owner, another worker of the team, the team's
supervisor, another team's supervisor and an admin of the team (role worker); a removed worker
tries their own participant's record. Paths a reader was never shown are pressed with forged
ids. Exactly the owner and the team's supervisor read; only the owner writes; a refusal names
nothing. All readers act at once (each in their own chat), to keep this quick.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.fakeapi import Call, FakeBotApi
from bot.service.replies import EXPIRED
from bot.telegram.access import REFUSAL, Refusals
from storage.records import NoteRecord, WorkerRecord
from storage.service import Storage
from tests.bot.conftest import START
from tests.bot.harness import QUIET, TIMEOUT, Person, toasts
from tests.bot.records_seed import seed_note
from tests.conftest import fresh_database

PREPARING = "Preparing the export…"
NOT_FOUND = "I can't find anyone called {}"

READERS = (
    "owner",
    "same-team worker",
    "team supervisor",
    "other team's supervisor",
    "team admin (worker)",
    "removed worker (own record)",
)
PATHS = (
    "/last",
    "n|",
    "/history",
    "h|",
    "/export",
    "x|p|",
    "x|n|",
    "/progress",
    "g|",
    "ad| (write)",
    "a|done (write)",
)
WRITES = {"ad| (write)", "a|done (write)"}
READS = {
    "last.viewed",
    "note.viewed",
    "history.viewed",
    "record.exported",
    "note.exported",
    "progress.viewed",
}
ALLOWED = {"owner": set(PATHS), "team supervisor": set(PATHS) - WRITES}


@dataclass(frozen=True)
class Target:
    """The record tried: typed by first name only, so a refusal that echoes what was typed
    still names nobody; ``secrets`` must never reach a reader who may not read."""

    first: str
    note: NoteRecord
    summary: str
    secrets: tuple[str, ...]

    @property
    def pid(self) -> str:
        assert self.note.participant_id is not None
        return self.note.participant_id

    @property
    def action(self) -> str:
        return self.note.actions[0].id

    def typed(self, path: str) -> str | None:
        return {
            "/last": f"/last {self.first}",
            "/history": f"/history {self.first}",
            "/export": f"/export {self.first} txt",
            "/progress": f"/progress {self.first}",
        }.get(path)

    def forged(self, path: str) -> str:
        return {
            "n|": f"n|{self.note.id}",
            "h|": f"h|{self.pid}",
            "x|p|": f"x|p|{self.pid}|txt",
            "x|n|": f"x|n|{self.note.id}|txt",
            "g|": f"g|{self.pid}",
            "ad| (write)": f"ad|{self.note.id}",
            "a|done (write)": f"a|done|{self.action}|l",
        }.get(path, "")

    def read(self, path: str, calls: list[Call]) -> bool:
        """Whether the reader got the record (or, for a write, was let write) on this path."""
        methods = {c.method for c in calls}
        if path in ("/export", "x|p|", "x|n|"):
            return "sendDocument" in methods
        if path in ("/progress", "g|"):
            return "sendPhoto" in methods
        if path == "ad| (write)":
            return "Addendum to:" in _seen(calls)
        if path == "a|done (write)":
            return "Marked done." in toasts(calls)
        return self.summary in _seen(calls)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async for url in fresh_database(request, tmp_path):
        yield url


async def _join(
    storage: Storage, api: FakeBotApi, uid: int, name: str, role: str, team: str
) -> tuple[WorkerRecord, Person]:
    code = (await storage.workers.create_invite(role=role, team=team, now=START)).code
    record = await storage.workers.redeem_invite(code, uid, name, "Europe/London", START)
    return record, Person(api, uid, name)


async def _target(storage: Storage, owner: int, name: str, summary: str) -> Target:
    """A participant with two sessions, the last with an open action."""
    first = await seed_note(storage, owner, START - timedelta(days=9), name=name)
    last = await seed_note(
        storage,
        owner,
        START - timedelta(days=2),
        participant_id=first.participant_id,
        summary=summary,
        actions=("Call the council",),
    )
    given, surname = name.split()
    ids = (str(first.participant_id), last.id, last.actions[0].id)
    return Target(given, last, summary, (surname, summary, "eviction", *ids))


def _seen(calls: list[Call]) -> str:
    """Everything a reader was shown: texts, captions, toasts, button labels and data."""
    return "\n".join(
        str(c.params.get(k, "")) for c in calls for k in ("text", "caption", "reply_markup")
    )


async def _act(api: FakeBotApi, p: Person, text: str | None = None, data: str = "") -> list[Call]:
    """Type ``text`` or press a button carrying ``data``; return this chat's calls once it is
    quiet (per chat, so several readers can act at once). An export is acknowledged before it
    is built: then wait for the file too."""
    assert p.chat_id is not None
    before = len(api.calls_for(p.chat_id))
    if text is not None:
        api.user_message(p.user, p.chat_id, text, "private")
    else:
        mine = p.bot_messages()
        api.user_taps(p.user, p.chat_id, mine[-1].message_id if mine else 1, data)
    deadline = time.monotonic() + TIMEOUT
    while True:
        await asyncio.sleep(0.05)
        calls = api.calls_for(p.chat_id)[before:]
        waiting = PREPARING in toasts(calls) and not any(c.method == "sendDocument" for c in calls)
        if calls and not waiting and time.monotonic() - calls[-1].at > QUIET:
            return calls
        assert time.monotonic() < deadline, f"no answer to {text or data!r}"


async def test_access_matrix(storage: Storage, api: FakeBotApi, bot: Application) -> None:  # type: ignore[type-arg]
    owner, olive = await _join(storage, api, 9001, "Olive", "worker", "north")
    wes_rec, wes = await _join(storage, api, 9002, "Wes", "worker", "north")
    sue_rec, sue = await _join(storage, api, 9003, "Sue", "supervisor", "north")
    stan_rec, stan = await _join(storage, api, 9004, "Stan", "supervisor", "south")
    ada_rec, ada = await _join(storage, api, 9005, "Ada", "admin", "north")
    rex_rec, rex = await _join(storage, api, 9006, "Rex", "worker", "north")
    quentin = await _target(storage, owner.id, "Quentin Zephyr", "Moonlit harbour plan agreed.")
    ursula = await _target(storage, rex_rec.id, "Ursula Vance", "Lantern workshop idea.")
    await storage.workers.deactivate(rex_rec.id)
    # Refused every time (not once, then silence), so each attempt shows what it was answered.
    bot.bot_data["refusals"] = Refusals(quiet_for=0)

    async def try_all(name: str, p: Person, t: Target) -> dict[str, bool]:
        row: dict[str, bool] = {}
        for path in PATHS:
            calls = await _act(api, p, t.typed(path), t.forged(path))
            row[path] = t.read(path, calls)
            if row[path]:
                if path == "ad| (write)":
                    await _act(api, p, "Cancel")  # the owner leaves the addendum unwritten
                continue
            seen = _seen(calls)
            leaked = [s for s in t.secrets if s in seen]
            assert not leaked, f"{name} on {path} was shown {leaked}"
            if p is rex:
                assert REFUSAL in seen, (name, path, seen)
            elif t.typed(path) is None:
                assert toasts(calls) == [EXPIRED], (name, path, toasts(calls))
            else:
                assert NOT_FOUND.format(t.first) in seen, (name, path, seen)
        return row

    readers = {
        "owner": (olive, quentin),
        "same-team worker": (wes, quentin),
        "team supervisor": (sue, quentin),
        "other team's supervisor": (stan, quentin),
        "team admin (worker)": (ada, quentin),
        "removed worker (own record)": (rex, ursula),
    }
    rows = await asyncio.gather(*(try_all(n, p, t) for n, (p, t) in readers.items()))
    matrix = dict(zip(readers, rows, strict=True))
    expected = {r: {p: p in ALLOWED.get(r, set()) for p in PATHS} for r in READERS}
    assert {r: matrix[r] for r in READERS} == expected

    # Only the owner wrote: they closed their action; nobody else began or added an addendum.
    done = await storage.audit.entries()
    assert {(e.worker_id, e.ref_id) for e in done if e.kind == "action.done"} == {
        (owner.id, quentin.action)
    }
    assert await storage.notes.open_actions(owner.id, quentin.pid) == []
    assert len(await storage.notes.open_actions(rex_rec.id, ursula.pid)) == 1
    assert not any((await storage.addenda.for_notes([quentin.note.id, ursula.note.id])).values())
    for w in (wes_rec, sue_rec, stan_rec, ada_rec, rex_rec):
        assert await storage.addenda.pending(w.id) is None

    # The supervisor's view is read-only and says whose participant it is; a removed worker's
    # caseload stays with the team's supervisor.
    await _act(api, sue, "/last Quentin")
    card = sue.last_with_buttons()
    assert quentin.summary in card.text and "Olive" in card.text
    await _act(api, sue, data=f"n|{quentin.note.id}")
    note = sue.last_with_buttons()
    assert quentin.summary in note.text and "Olive" in note.text
    assert not any(d.startswith("ad|") for _, d in note.buttons)
    await _act(api, sue, "/last Ursula")
    assert ursula.summary in sue.last().text and "Rex" in sue.last().text
    # Unknown ids get the very answer forged ones got.
    for data in ("n|", "h|", "g|", "x|n|", "ad|"):
        calls = await _act(api, sue, data=data + "0" * 32 + ("|txt" if "x" in data else ""))
        assert toasts(calls) == [EXPIRED], data

    # Reads are audited with the participant: the supervisor's six kinds, nobody else's.
    sues = await storage.audit.entries(participant_id=quentin.pid, worker_id=sue_rec.id)
    assert {e.kind for e in sues} == READS
    for t, readers_of in ((quentin, {owner.id, sue_rec.id}), (ursula, {sue_rec.id})):
        entries = await storage.audit.entries(participant_id=t.pid)
        assert {e.worker_id for e in entries if e.kind in READS} == readers_of
