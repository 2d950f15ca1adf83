"""Seed a database for the lookup benchmark: workers, participants, notes and actions, really
sealed with a real key ring (see seed_rows.py), bulk-inserted in big executemany batches.

Run: PYTHONPATH=. .venv/bin/python benchmarks/seed.py [--notes 100000] [--url URL] [--reuse]
Defaults: 200 workers, 20,000 participants, 1,000,000 notes into a SQLite file under
/tmp/casenotes-bench (or CASENOTES_DATABASE_URL; for PostgreSQL give the benchmark its own
database, e.g. .../bench: it is dropped and created again). The key ring is kept beside it
(mode 0600) so a later run with --reuse can read the data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, func, insert, select, text, update
from sqlalchemy.engine import make_url

from benchmarks.seed_rows import note_batch, people_rows, start_process, worker_rows
from storage.crypto import KeyRing, write_key_ring
from storage.models import Action, Base, Note, Participant, ParticipantWord, Worker
from storage.service import Storage, open_storage

HOME = Path("/tmp/casenotes-bench")
BATCH = 10_000


def options() -> argparse.Namespace:
    """Parse the flags shared by seed.py and lookup.py (others are left for the caller)."""
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--workers", type=int, default=200)
    p.add_argument("--participants", type=int, default=20_000)
    p.add_argument("--notes", type=int, default=1_000_000)
    p.add_argument("--url", default=os.environ.get("CASENOTES_DATABASE_URL"))
    p.add_argument("--keys", type=Path, help="key file (default: beside the database)")
    p.add_argument("--reuse", action="store_true", help="keep a database with these counts")
    p.add_argument("--procs", type=int, default=os.cpu_count() or 2, help="sealing processes")
    args, _ = p.parse_known_args()
    scale = f"{args.workers}w-{args.participants}p-{args.notes}n"
    args.url = args.url or f"sqlite+aiosqlite:///{HOME / f'bench-{scale}.db'}"
    url = make_url(args.url)
    stem = Path(url.database or "").stem if url.get_backend_name() == "sqlite" else url.database
    HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
    args.keys = args.keys or HOME / f"{url.get_backend_name()}-{stem}.keys.json"
    return args


async def prepare(args: argparse.Namespace) -> Storage:
    """Open the benchmark database, seeding it unless ``--reuse`` finds it already seeded."""
    want = (args.workers, args.participants, args.notes)
    if args.reuse and args.keys.exists():
        storage = await open_storage(args.url, args.keys)
        have = await counts(storage)
        if have == want:
            print(f"reusing {make_url(args.url).render_as_string()}: {have}")
            return storage
        await storage.close()
    await wipe(args.url)
    ring = KeyRing.generate()
    write_key_ring(args.keys, ring, overwrite=True)
    storage = await open_storage(args.url, ring=ring)
    await seed(storage, args)
    return storage


async def counts(storage: Storage) -> tuple[int, ...]:
    """(workers, participants, notes) now in the database."""
    async with storage.sessions() as s:
        return tuple(
            [
                await s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Worker, Participant, Note)
            ]
        )


async def wipe(url: str) -> None:
    """Start from an empty database: delete the SQLite file, or drop and create the PG one."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _delete(Path(parsed.database or ""))
        return
    import asyncpg

    name = parsed.database
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit("give the benchmark its own PostgreSQL database, e.g. .../bench")
    conn = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database="postgres",
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _delete(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def _bulk_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB: random uuid keys touch every page
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


async def insert_rows(storage: Storage, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Core executemany in chunks: one statement shape, many parameter sets."""
    async with storage.engine.begin() as conn:
        for i in range(0, len(rows), 5_000):
            await conn.execute(insert(model.__table__), rows[i : i + 5_000])  # type: ignore[arg-type]


async def seed(storage: Storage, args: argparse.Namespace) -> None:
    """Bulk-insert the whole data set and print how long it took."""
    t0 = time.perf_counter()
    if storage.engine.dialect.name == "sqlite":
        event.listen(storage.engine.sync_engine, "connect", _bulk_pragmas)
        await storage.engine.dispose()
    await insert_rows(storage, Worker, worker_rows(storage.ring, args.workers))
    async with storage.sessions() as s:
        worker_ids = list((await s.scalars(select(Worker.id).order_by(Worker.id))).all())
    people, words = people_rows(storage.ring, args.participants, worker_ids)
    await insert_rows(storage, Participant, people)
    await insert_rows(storage, ParticipantWord, words)
    took = time.perf_counter() - t0
    print(f"{len(people):,} participants, {len(words):,} name words: {took:.1f} s")
    rng = random.Random(1)
    weights = list(accumulate(rng.lognormvariate(0, 0.8) for _ in people))
    pairs = [(p["id"], p["worker_id"]) for p in people]
    sizes = [min(BATCH, args.notes - i) for i in range(0, args.notes, BATCH)]
    latest: dict[str, datetime] = {}
    n_actions = 0
    loop = asyncio.get_running_loop()
    setup = (storage.ring.to_json(), pairs, weights)
    with ProcessPoolExecutor(args.procs, initializer=start_process, initargs=setup) as pool:
        ahead = args.procs + 1  # batches sealed while the last one is inserted
        pending = [
            loop.run_in_executor(pool, note_batch, i, sizes[i])
            for i in range(min(ahead, len(sizes)))
        ]
        for i in range(len(sizes)):
            notes, actions, seen = await pending.pop(0)
            if i + ahead < len(sizes):
                pending.append(loop.run_in_executor(pool, note_batch, i + ahead, sizes[i + ahead]))
            await insert_rows(storage, Note, notes)
            await insert_rows(storage, Action, actions)
            n_actions += len(actions)
            for pid, start in seen.items():
                latest[pid] = max(latest.get(pid, start), start)
            if (i + 1) % 10 == 0 or i + 1 == len(sizes):
                done, took = sum(sizes[: i + 1]), time.perf_counter() - t0
                print(f"  {done:,} notes, {n_actions:,} actions: {took:.0f} s", flush=True)
    async with storage.engine.begin() as conn:
        await conn.execute(
            update(Participant)
            .where(Participant.id == bindparam("pid"))
            .values(last_session_at=bindparam("at")),
            [{"pid": pid, "at": at} for pid, at in latest.items()],
        )
    if storage.engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load: steady-state statistics.
        async with storage.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    print(
        f"seeded {len(worker_ids):,} workers, {len(people):,} participants, {args.notes:,} "
        f"notes, {n_actions:,} actions in {time.perf_counter() - t0:.1f} s"
    )


async def main() -> None:
    args = options()
    storage = await prepare(args)
    print(f"database: {make_url(args.url).render_as_string()}  keys: {args.keys}")
    await storage.close()


if __name__ == "__main__":
    asyncio.run(main())
