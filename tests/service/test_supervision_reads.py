"""A supervisor finds their team's participants by name, and every card says whose they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.service import lookup, records
from bot.service.deps import Deps, Turn
from bot.service.replies import FullNote, History, LastSession, People
from bot.telegram.render import last_session_blocks
from storage.records import WorkerRecord
from storage.service import Storage
from tests.bot.records_seed import seed_note

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _worker(storage: Storage, uid: int, name: str, role: str, team: str) -> WorkerRecord:
    code = (await storage.workers.create_invite(role=role, team=team, now=NOW)).code
    return await storage.workers.redeem_invite(code, uid, name, "Europe/London", NOW)


def _turn(storage: Storage, worker: WorkerRecord) -> Turn:
    return Turn(Deps(storage, now=lambda: NOW), worker, chat_id=worker.telegram_user_id)


@SQLITE
async def test_supervisor_last_card_names_the_owner_worker(storage: Storage) -> None:
    olive = await _worker(storage, 8001, "Olive <Lead>", "worker", "north")
    wes = await _worker(storage, 8002, "Wes", "worker", "north")
    sue = await _worker(storage, 8003, "Sue", "supervisor", "north")
    stan = await _worker(storage, 8004, "Stan", "supervisor", "south")
    await seed_note(storage, olive.id, NOW - timedelta(days=3), name="Alex Smith")
    await seed_note(storage, wes.id, NOW - timedelta(days=2), name="Alex Jones")
    await seed_note(storage, sue.id, NOW - timedelta(days=1), name="Alex Brown")
    turn = _turn(storage, sue)

    # One name, three caseloads: the supervisor's own first, then each team member's (marked
    # with whose).
    listing = await lookup.last(turn, "Alex")
    (people,) = listing.screens
    assert isinstance(people, People)
    labels = [b.label for row in listing.buttons for b in row][:3]
    assert labels == ["Alex Brown", "Alex Smith · Olive <Lead>'s", "Alex Jones · Wes's"]

    # Typed in full, the card opens, headed with whose participant it is (escaped as HTML).
    reply = await lookup.last(turn, "Alex Smith")
    (card,) = reply.screens
    assert isinstance(card, LastSession)
    assert card.name == "Alex Smith (Olive <Lead>'s participant)"
    assert "Talked it through." in card.note.content["answers"]["summary"]
    html = last_session_blocks(card)[0]
    assert "Olive &lt;Lead&gt;" in html and "<Lead>" not in html

    # A near miss is suggested from the team's caseloads too.
    near = await lookup.last(turn, "Alex Smyth")
    assert near.buttons[0][0].label == "Alex Smith · Olive <Lead>'s"

    # The history and the full note behind the card read the owner's records.
    pid = card.note.participant_id
    assert pid is not None
    (history,) = (await records.history(turn, pid)).screens
    assert isinstance(history, History) and history.total == 1 and "Olive" in history.name
    (full,) = (await records.full_note(turn, card.note.id)).screens
    assert isinstance(full, FullNote) and "Olive" in full.name

    # Another team's supervisor finds none of them; the owner's own card is unmarked.
    other = await lookup.last(_turn(storage, stan), "Alex")
    assert not other.buttons and "I can't find anyone called Alex" in str(other.screens)
    (own,) = (await lookup.last(_turn(storage, olive), "Alex Smith")).screens
    assert isinstance(own, LastSession) and own.name == "Alex Smith"


@SQLITE
async def test_supervisor_pages_a_team_members_history(storage: Storage) -> None:
    olive = await _worker(storage, 8101, "Olive", "worker", "north")
    sue = await _worker(storage, 8102, "Sue", "supervisor", "north")
    first = await seed_note(storage, olive.id, NOW - timedelta(days=30), name="Alex Smith")
    pid = first.participant_id
    assert pid is not None
    for day in range(1, 8):  # eight sessions: two pages of history
        await seed_note(storage, olive.id, NOW - timedelta(days=day), participant_id=pid)
    turn = _turn(storage, sue)
    older = await records.history(turn, pid, page=1, edit=True)
    (screen,) = older.screens
    assert isinstance(screen, History)
    assert (screen.page, screen.pages, screen.total, len(screen.lines)) == (1, 2, 8, 2)
    assert ("◀ Newer", f"h|{pid}|0") in [(b.label, b.data) for row in older.buttons for b in row]
    # Their own list stays their own: the team's participants are found by name instead.
    assert "no participants" in str((await lookup.participants(turn)).screens)
