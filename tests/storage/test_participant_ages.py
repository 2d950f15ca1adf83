"""An age is whole years or a band kept as typed ("early 20s"); both read back as written."""

from __future__ import annotations

from storage.records import NewParticipant
from storage.service import Storage


async def test_an_age_band_reads_back_as_typed(storage: Storage) -> None:
    invite = await storage.workers.create_invite()
    worker = await storage.workers.redeem_invite(invite.code, 8801, "Sam", "Europe/London")
    band = await storage.participants.add(worker.id, NewParticipant("Jo", "early 20s"))
    years = await storage.participants.add(worker.id, NewParticipant("Kim", 34))
    unknown = await storage.participants.add(worker.id, NewParticipant("Lee"))
    assert (await storage.participants.get(worker.id, band.id)).age == "early 20s"  # type: ignore[union-attr]
    assert (await storage.participants.get(worker.id, years.id)).age == 34  # type: ignore[union-attr]
    assert (await storage.participants.get(worker.id, unknown.id)).age is None  # type: ignore[union-attr]
    assert {p.name for p in await storage.participants.recent(worker.id)} == {"Jo", "Kim", "Lee"}
