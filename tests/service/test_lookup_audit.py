"""A list of names shown for a typed name is a disclosure: each name listed is audited,
with the participant's id and never what was typed."""

from __future__ import annotations

from datetime import timedelta

from bot.service import lookup
from storage.service import Storage
from tests.bot.records_seed import seed_note
from tests.service.test_supervision_reads import NOW, SQLITE, _turn, _worker


@SQLITE
async def test_names_listed_to_a_supervisor_are_audited(storage: Storage) -> None:
    olive = await _worker(storage, 8201, "Olive", "worker", "north")
    sue = await _worker(storage, 8202, "Sue", "supervisor", "north")
    smith = await seed_note(storage, olive.id, NOW - timedelta(days=3), name="Alex Smith")
    jones = await seed_note(storage, olive.id, NOW - timedelta(days=2), name="Alex Jones")
    await seed_note(storage, olive.id, NOW - timedelta(days=2), name="Bo Park")

    await lookup.last(_turn(storage, sue), "Alex")

    listed = [
        e for e in await storage.audit.entries(worker_id=sue.id) if e.kind != "worker.registered"
    ]
    assert {(e.kind, e.participant_id) for e in listed} == {
        ("participant.listed", smith.participant_id),
        ("participant.listed", jones.participant_id),
    }
    # One match opens its card: that view is the audit entry, not a listing.
    await lookup.last(_turn(storage, sue), "Bo")
    kinds = [e.kind for e in await storage.audit.entries(worker_id=sue.id)]
    assert kinds.count("participant.listed") == 2 and kinds[-1] == "last.viewed"
    assert (await storage.audit.verify()).ok
