"""Participants' rights as an operator exercises them: a subject access export, erasure
(nothing of theirs left in any table or, on SQLite, in the file) and retention."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from storage.models import Base
from storage.records import Kind, NewAction, NewNote, NewParticipant, NewReminder
from storage.service import Storage, open_storage
from tests.bot.records_seed import seed_note
from tests.conftest import _create_pg_database, _drop_pg_database, _postgres_url
from tests.test_cli import env, run

__all__ = ["env"]
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=30)
ACTOR = f"cli:{getpass.getuser()}"


def storage_run(tmp: Path, work: Any) -> Any:
    """Run ``work(storage)`` against the database the CLI is configured for."""

    async def _main() -> Any:
        st = await open_storage(os.environ["CASENOTES_DATABASE_URL"], tmp / "keys.json")
        try:
            return await work(st)
        finally:
            await st.close()

    return asyncio.run(_main())


async def worker(st: Storage, telegram_id: int, name: str) -> int:
    invite = await st.workers.create_invite()
    return (await st.workers.redeem_invite(invite.code, telegram_id, name, "Europe/London")).id


async def full_note(st: Storage, wid: int, pid: str | None, name: str, start: datetime) -> str:
    """A note with two actions (one reminded), a next-session reminder and, for a new
    participant, their name: every kind of row a note brings."""
    saved = await st.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=2,
            content={"answers": {"summary": f"Summary of {name} at {start:%d %b}"}},
            session_start=start,
            duration_minutes=50,
            participant_id=pid,
            new_participant=None if pid else NewParticipant(name, 41, "she/her"),
            actions=(
                NewAction(f"Call the GP for {name}", "worker", None, NOW + timedelta(days=2)),
                NewAction(f"Walk daily ({name})", "participant", None),
            ),
            reminders=(NewReminder(Kind.SESSION_DAY, NOW + timedelta(days=6), None, NOW),),
            reminder_text=name[:1] + ".",
        ),
        start + timedelta(hours=1),
    )
    return saved.id


@dataclass(frozen=True)
class Seeded:
    worker: int
    other_worker: int
    gone: str  # the participant to erase
    kept: str  # another participant of the same worker
    elsewhere: str  # another worker's participant
    gone_notes: tuple[str, ...]
    draft: str


def seed(tmp: Path) -> Seeded:
    async def _seed(st: Storage) -> Seeded:
        w = await worker(st, 71, "Kim Worker")
        w2 = await worker(st, 72, "Lee Worker")
        first = await full_note(st, w, None, "Zoë Gone", START)
        gone = (await st.notes.get(w, first)).participant_id  # type: ignore[union-attr]
        assert gone is not None
        second = await full_note(st, w, gone, "Zoë Gone", START + timedelta(days=7))
        kept_note = await full_note(st, w, None, "Sam Kept", START + timedelta(days=1))
        kept = (await st.notes.get(w, kept_note)).participant_id  # type: ignore[union-attr]
        elsewhere = (await seed_note(st, w2, START, name="Ari Elsewhere")).participant_id
        assert kept is not None and elsewhere is not None
        sup = await worker(st, 73, "Pat Supervisor")
        asked = "Please add the risk plan"
        await st.reviews.add(first, sup, "needs_revision", NOW, asked)
        await st.reviews.add(kept_note, sup, "needs_revision", NOW, "Kept comment")
        for note_id, reason in ((first, "Correction"), (second, "Later call")):
            added = await st.addenda.add(w, note_id, reason, f"Addendum text {reason}", NOW)
            await st.reviews.answer(note_id, w, added.id, NOW)
        await st.reviews.add(second, sup, "reviewed", NOW)
        await st.reviews.begin_comment(sup, second, NOW)
        await st.addenda.add(w, kept_note, "Kept reason", "Kept addendum", NOW)
        acts = (await st.notes.get(w, first)).actions  # type: ignore[union-attr]
        done = next(a for a in acts if a.text.startswith("Call the GP"))
        assert await st.agenda.complete_action(w, done.id, NOW)
        assert await st.addenda.begin(w, second, NOW)
        assert await st.addenda.give_reason(w, "A pending reason")
        engine = {
            "template_id": "peer_support",
            "template_version": 2,
            "answers": {"participant": {"id": gone, "name": "Zoë Gone"}},
            "cursor": {"field": "summary"},
        }
        draft = await st.drafts.start(w, {"engine": engine}, NOW)
        await st.reminders.add(
            w, [NewReminder(Kind.DRAFT_IDLE, NOW + timedelta(hours=3), draft.id)]
        )
        return Seeded(w, w2, gone, kept, elsewhere, (first, second), draft.id)

    return storage_run(tmp, _seed)


async def dump(st: Storage) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ours, as tuples of column values."""
    out = {}
    async with st.sessions() as s:
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def chunks(blob: bytes, size: int = 32) -> list[bytes]:
    """Aligned pieces: any remnant of ``2 * size`` bytes or more contains one whole."""
    return [blob[i : i + size] for i in range(0, len(blob) - size + 1, size)]


def sealed_values(rows: dict[str, list[tuple[Any, ...]]], ids: set[str]) -> list[bytes]:
    """The sealed values in rows that mention any of ``ids``."""
    return [
        v
        for table, found in rows.items()
        if table != "audit_events"
        for row in found
        if any(isinstance(c, str) and c in ids for c in row)
        for v in row
        if isinstance(v, bytes) and len(v) > 17
    ]


def ids_of(rows: dict[str, list[tuple[Any, ...]]], seed_ids: set[str]) -> set[str]:
    """``seed_ids`` and every row id reachable from them (notes, actions, reminders, ...)."""
    ids = set(seed_ids)
    while True:
        more = {
            row[0]
            for table, found in rows.items()
            if table not in ("audit_events", "draft_messages", "card_messages")
            for row in found
            if isinstance(row[0], str) and any(isinstance(c, str) and c in ids for c in row)
        }
        if more <= ids:
            return ids
        ids |= more


def file_bytes(tmp: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp.glob("c.db*"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, env: Path) -> Iterator[str]:
    """The CLI's database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    admin = _postgres_url()
    if not admin:
        pytest.skip("PostgreSQL not configured (CASENOTES_TEST_POSTGRES_URL unset)")
    url = asyncio.run(_create_pg_database(admin))
    os.environ["CASENOTES_DATABASE_URL"] = url
    try:
        yield "postgresql"
    finally:
        asyncio.run(_drop_pg_database(admin, url))


def test_subject_access_export_holds_every_note_addendum_and_action(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    s = seed(env)
    (env / "out").mkdir()
    code, out = run("participants", "export", s.gone, "--out", "out")
    assert code == 0, out
    pdf_path, json_path = (Path(line) for line in out.splitlines()[:2])
    assert pdf_path.suffix == ".pdf" and json_path.suffix == ".json"
    for path in (pdf_path, json_path):
        assert path.parent == Path("out") and s.gone in path.name
        assert stat.S_IMODE((env / path).stat().st_mode) == 0o600
    text = "\n".join(
        p.extract_text() for p in PdfReader(BytesIO((env / pdf_path).read_bytes())).pages
    )
    for wanted in (
        "Zoë Gone",
        f"Summary of Zoë Gone at {START:%d %b}",
        f"Summary of Zoë Gone at {START + timedelta(days=7):%d %b}",
        "Addendum text Correction",
        "Addendum text Later call",
        "Later call",
        "Actions: status now",
        "Needs revision",
        "Please add the risk plan",
        "Done",
        "Open",
    ):
        assert wanted in text, wanted
    assert "Sam Kept" not in text and "Kept addendum" not in text
    data = json.loads((env / json_path).read_text())
    assert data["participant"]["id"] == s.gone and data["participant"]["name"] == "Zoë Gone"
    notes = {n["id"]: n for n in data["notes"]}
    assert set(notes) == set(s.gone_notes)
    first, second = (notes[i] for i in s.gone_notes)
    assert [(a["reason"], a["text"], a["author"]) for a in first["addenda"]] == [
        ("Correction", "Addendum text Correction", "Kim Worker")
    ]
    assert [a["reason"] for a in second["addenda"]] == ["Later call"]
    assert {a["text"]: a["done"] for a in first["actions"]} == {
        "Call the GP for Zoë Gone": True,
        "Walk daily (Zoë Gone)": False,
    }
    assert [a["done"] for a in second["actions"]] == [False, False]
    assert first["answers"]["summary"].startswith("Summary of Zoë Gone")
    assert [(r["status"], r["comment"]) for r in first["reviews"]] == [
        ("needs_revision", "Please add the risk plan")
    ]
    assert first["reviews"][0]["addendum_id"] == first["addenda"][0]["id"]
    assert [(r["status"], r["comment"]) for r in second["reviews"]] == [("reviewed", None)]

    async def trail(st: Storage) -> list[Any]:
        return await st.audit.entries(participant_id=s.gone)

    exported = [e for e in storage_run(env, trail) if e.kind == "participant.exported"]
    assert [(e.actor, e.worker_id) for e in exported] == [(ACTOR, None)]
    code, out = run("participants", "export", s.gone, "--out", "out")
    assert code == 1 and "exists" in out
    code, out = run("participants", "export", "nobody", "--out", "out")
    assert code == 1 and "no participant with id nobody" in out


def test_erasure_leaves_nothing_of_theirs_and_touches_no_one_else(backend: str, env: Path) -> None:
    assert run("keys", "new")[0] == 0
    s = seed(env)
    before = storage_run(env, dump)
    theirs = ids_of(before, {s.gone, s.draft})
    blobs = sealed_values(before, theirs)
    # Their participant row, 2 notes, 2 addenda, 4 actions, 2 + 2 + 1 reminders with text,
    # the pending addendum's reason, a review comment and the draft hold sealed values.
    assert len(blobs) >= 1 + 2 + 2 + 4 + 5 + 1 + 1 + 1, len(blobs)
    if backend == "sqlite":
        on_disk = file_bytes(env)
        assert all(any(c in on_disk for c in chunks(b)) for b in blobs)

    code, out = run("participants", "erase", s.gone, typed="not-the-id\n")
    assert code == 1 and "nothing was erased" in out
    code, out = run("participants", "erase", s.gone, "--confirm", s.kept)
    assert code == 1 and "nothing was erased" in out
    assert storage_run(env, dump) == before

    code, out = run("participants", "erase", s.gone, typed=f"{s.gone}\n")
    assert code == 0, out
    assert (
        f"worker {s.worker}): notes: 2, addenda: 2, actions: 4, reminders: 8, drafts: 1, "
        "reviews: 2" in out
    )
    assert "erased participant" in out
    after = storage_run(env, dump)
    for table, rows in after.items():
        if table == "audit_events":
            continue
        for row in rows:
            assert not any(isinstance(c, str) and c in theirs for c in row), (table, row)
            for value in row:
                if isinstance(value, bytes):
                    assert not any(c in value for b in blobs for c in chunks(b)), table
    if backend == "sqlite":
        on_disk = file_bytes(env)
        left = [b for b in blobs if any(c in on_disk for c in chunks(b))]
        assert not left, f"{len(left)} of {len(blobs)} sealed values still in the file"
    removed = {t: len(before[t]) - len(after[t]) for t in before if before[t] != after[t]}
    assert removed == {
        "participants": 1,
        "participant_words": 2,
        "notes": 2,
        "addenda": 2,
        "actions": 4,
        "reminders": 8,
        "pending_addenda": 1,
        "reviews": 2,
        "pending_reviews": 1,
        "drafts": 1,
        "audit_events": -1,
        "audit_head": 0,
    }, removed
    for table, rows in before.items():
        if table not in ("audit_events", "audit_head"):
            gone_rows = [r for r in rows if r not in after[table]]
            assert all(any(c in theirs for c in r if isinstance(c, str)) for r in gone_rows)

    async def still_open(st: Storage) -> tuple[Any, ...]:
        kept = await st.participants.get(s.worker, s.kept)
        notes = await st.notes.whole_record(s.worker, s.kept)
        addenda = await st.addenda.for_notes([n.id for n in notes])
        other = await st.notes.whole_record(s.other_worker, s.elsewhere)
        trail = await st.audit.entries(participant_id=s.gone)
        review = await st.reviews.latest(notes[0].id)
        return kept, notes, addenda, review, other, trail, (await st.audit.verify()).ok

    kept, notes, addenda, review, other, trail, chain_ok = storage_run(env, still_open)
    assert kept is not None and kept.name == "Sam Kept"
    assert sorted(a.text for n in notes for a in n.actions) == [
        "Call the GP for Sam Kept",
        "Walk daily (Sam Kept)",
    ]
    assert [a.text for group in addenda.values() for a in group] == ["Kept addendum"]
    assert review is not None and review.comment == "Kept comment"
    assert len(other) == 1
    assert [(e.kind, e.actor, e.ref_id) for e in trail][-1] == (
        "participant.erased",
        ACTOR,
        "request",
    )
    assert all(e.participant_id == s.gone for e in trail) and chain_ok
    code, out = run("participants", "erase", s.gone, "--confirm", s.gone)
    assert code == 1 and f"no participant with id {s.gone}" in out


def test_retention_reports_and_erases_only_records_past_the_period(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    old = NOW - timedelta(days=365 * 8)

    async def _seed(st: Storage) -> tuple[int, str, str, str]:
        w = await worker(st, 81, "Kim Worker")
        due = await seed_note(st, w, old, name="Old Timer", summary="Long ago")
        await seed_note(st, w, old + timedelta(days=30), participant_id=due.participant_id)
        back = await seed_note(st, w, old, name="Came Back")
        await seed_note(st, w, NOW - timedelta(days=40), participant_id=back.participant_id)
        fresh = await seed_note(st, w, NOW - timedelta(days=3), name="Fresh Start")
        assert due.participant_id and back.participant_id and fresh.participant_id
        about_back = {"answers": {"participant": {"id": back.participant_id, "name": "C"}}}
        await st.drafts.start(w, {"engine": about_back}, NOW)
        return w, due.participant_id, back.participant_id, fresh.participant_id

    w, due, back, fresh = storage_run(env, _seed)
    code, out = run("retention", "report")
    assert code == 0, out
    lines = [line.split() for line in out.splitlines() if line.startswith(due)]
    assert lines == [[due, str(w), f"{old + timedelta(days=30):%Y-%m-%d}", "2"]]
    assert back not in out and fresh not in out and "1 records are due" in out
    assert "Old Timer" not in out
    os.environ["CASENOTES_RETENTION_YEARS"] = "9"
    code, out = run("retention", "report")
    assert code == 0 and due not in out and "no records are due" in out
    os.environ["CASENOTES_RETENTION_YEARS"] = "0"
    code, out = run("retention", "report")
    assert code == 1 and "bad setting CASENOTES_RETENTION_YEARS" in out and "1 to 100" in out
    os.environ["CASENOTES_RETENTION_YEARS"] = "7"

    before = storage_run(env, dump)
    code, out = run("retention", "apply", typed="2\n")
    assert code == 1 and "nothing was erased" in out
    assert storage_run(env, dump) == before
    code, out = run("retention", "apply", typed="1\n")
    assert code == 0 and "erased 1 records (2 notes)" in out, out

    async def left(st: Storage) -> tuple[Any, ...]:
        people = {p.id for p in (await st.participants.page(w, 0, 100)).items}
        trail = await st.audit.entries(participant_id=due)
        return people, trail, await st.drafts.get(w)

    people, trail, draft = storage_run(env, left)
    assert people == {back, fresh}
    assert draft is not None and draft.state["engine"]["answers"]["participant"]["id"] == back
    assert (trail[-1].kind, trail[-1].ref_id, trail[-1].actor) == (
        "participant.erased",
        "retention",
        ACTOR,
    )
    code, out = run("retention", "apply", "--confirm", "1")
    assert code == 0 and "no records are due" in out
