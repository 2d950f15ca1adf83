"""The team's grouped counts and review states on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.service import Storage
from tests.bot.team_seed import note

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def _worker(storage: Storage, tg: int, team: str = "north") -> int:
    code = (await storage.workers.create_invite("worker", team, now=NOW)).code
    return (await storage.workers.redeem_invite(code, tg, f"W{tg}", "Europe/London", NOW)).id


async def test_figures_and_review_states(storage: Storage) -> None:
    a, b, sup = await _worker(storage, 1), await _worker(storage, 2), await _worker(storage, 3)
    monday = NOW.replace(hour=0)
    first = await note(
        storage, a, NOW, NOW, name="Alex", actions=(("x", (NOW - timedelta(days=1)).date()),)
    )
    second = await note(storage, a, NOW, NOW, name="Alex", late=True)
    await note(storage, a, NOW - timedelta(days=2), monday - timedelta(minutes=1), name="Old")
    await storage.drafts.start(b, {"answers": {}}, NOW)
    figures = await storage.team.figures({a: monday, b: monday}, {a: NOW.date(), b: NOW.date()})
    assert (figures[a].notes_week, figures[a].late_week, figures[a].drafts) == (2, 1, 0)
    assert figures[a].overdue == 1
    assert (figures[b].notes_week, figures[b].drafts, figures[b].overdue) == (0, 1, 0)

    await storage.reviews.add(first.id, sup, "needs_revision", NOW, "More detail")
    await storage.reviews.add(second.id, sup, "reviewed", NOW)
    states = {h.id: h.review for h in (await storage.team.recent_notes(a, 0)).items}
    assert states[first.id] == "needs_revision" and states[second.id] == "reviewed"
    waiting = await storage.team.awaiting_review([a], NOW - timedelta(days=30), 0)
    assert first.id not in {h.id for h in waiting.items} and waiting.total == 1  # the old one
    await storage.reviews.answer(first.id, a, "addendum", NOW + timedelta(minutes=1))
    waiting = await storage.team.awaiting_review([a], NOW - timedelta(days=30), 0)
    assert {h.id: h.review for h in waiting.items}[first.id] == "answered"
    assert await storage.reviews.open_revisions(a) == []
