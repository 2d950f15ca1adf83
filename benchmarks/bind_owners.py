"""Time binding a database from before owner binding: values sealed unbound (format 1) with
name indexes without the worker, then re-sealed by storage.binding.bind_owners.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bind_owners.py [--values 20000] [--batch 200]
     [--url URL]  (default: a fresh SQLite file in a temporary folder; for PostgreSQL give it
     an empty database of its own)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from benchmarks.seed_rows import END, FIRST, LAST, SENTENCES, content_of, worker_rows
from storage.binding import OWNER_BINDING, bind_owners
from storage.crypto import KeyRing
from storage.models import Action, Meta, Note, Participant, ParticipantWord, Worker
from storage.repositories.base import Repository, new_id
from storage.service import open_storage

Row = dict[str, Any]


def unbound_rows(ring: KeyRing, values: int, workers: list[int]) -> dict[type, list[Row]]:
    """Participants (3 values each), notes and actions (one each) as stored before binding:
    about a tenth of the values are participants' and three in ten actions'."""
    rng, repo = random.Random(0), Repository(None, ring)  # type: ignore[arg-type]
    people: list[Row] = []
    words: list[Row] = []
    for _ in range(values // 30):
        pid, wid = new_id(), rng.choice(workers)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append(
            dict(
                id=pid,
                worker_id=wid,
                name_enc=repo.seal_text(name, "participants", "name_enc", pid, owner=None),
                age_enc=repo.seal_text("34", "participants", "age_enc", pid, owner=None),
                pronouns_enc=repo.seal_text(
                    "they", "participants", "pronouns_enc", pid, owner=None
                ),
                name_index=secrets.token_hex(32),
                created_at=END,
                words_indexed=True,
            )
        )
        words += [dict(participant_id=pid, worker_id=wid, word_index=secrets.token_hex(32))]
    notes: list[Row] = []
    actions: list[Row] = []
    left = values - 3 * len(people)
    for _ in range(left - left * 3 // 10):
        owner = rng.choice(people)
        nid, start = new_id(), END - timedelta(days=rng.randrange(1, 700))
        content = content_of(rng, start, 50)
        notes.append(
            dict(
                id=nid,
                participant_id=owner["id"],
                worker_id=owner["worker_id"],
                session_start=start,
                duration_minutes=50,
                template_id="peer_support",
                template_version=2,
                content_enc=repo.seal_json(content, "notes", "content_enc", nid, owner=None),
                status="complete",
                created_at=start,
                completed_at=start,
                late=False,
                content_hash="0" * 64,
            )
        )
    for i in range(left * 3 // 10):
        note = notes[i % len(notes)]
        aid = new_id()
        text = rng.choice(SENTENCES)
        actions.append(
            dict(
                id=aid,
                note_id=note["id"],
                worker_id=note["worker_id"],
                text_enc=repo.seal_text(text, "actions", "text_enc", aid, owner=None),
                who="worker",
                due=None,
                done=False,
            )
        )
    return {Participant: people, ParticipantWord: words, Note: notes, Action: actions}


async def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--values", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--url")
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="casenotes-bind-"))
    url = args.url or f"sqlite+aiosqlite:///{folder / 'bind.db'}"
    ring = KeyRing.generate()
    st = await open_storage(url, ring=ring)
    try:
        async with st.sessions.begin() as s:
            await s.execute(insert(Worker), worker_rows(ring, 20))
            workers = list(await s.scalars(select(Worker.id)))
        rows = unbound_rows(ring, args.values, workers)
        async with st.sessions.begin() as s:
            for model, batch in rows.items():
                for i in range(0, len(batch), 5000):
                    await s.execute(insert(model), batch[i : i + 5000])
            await s.execute(delete(Meta).where(Meta.key == OWNER_BINDING))
        started = time.perf_counter()
        report = await bind_owners(st.sessions, ring, batch=args.batch)
        took = time.perf_counter() - started
    finally:
        await st.close()
    total = sum(report.by_table.values())
    for table, count in sorted(report.by_table.items()):
        print(f"{table:<14} {count:>7} values")
    backend = url.split(":", 1)[0]
    print(
        f"bound {total} values in {took:.2f} s on {backend}, batch {args.batch} "
        f"({total / took:,.0f} values/s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
