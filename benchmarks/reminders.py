"""On-demand figures for reminders, through the real Application over real HTTP.

1. Start-up with 100,000 pending reminders: a fresh bot process opens the database, starts
   polling and runs its start-up sweep; wall time and resident memory (targets < 5 s, 300 MB).
2. A burst: N reminders due in the same minute (default 10,000) while 20 workers take notes:
   time to deliver all, the achieved rate against the configured one (20/s), the workers'
   reply latency (p50/p99, target p99 < 1 s) and duplicates (target 0).

Run: PYTHONPATH=. .venv/bin/python benchmarks/reminders.py [--pending 100000] [--burst 10000]
     [--postgres ADMIN_URL]  (a full burst takes N / 20 s: --burst 2000 takes 100 s; extrapolate)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.fakeapi import FakeBotApi
from bot.fakeapi.server import chat_of
from bot.service.deps import Deps
from bot.telegram import reminding
from bot.telegram.runner import running_bot
from storage.crypto import KeyRing, load_key_ring, write_key_ring
from storage.models import Action, Note, Reminder, Worker
from storage.records import Kind
from storage.repositories.base import new_id
from storage.service import Storage, open_storage
from tests.bot.conftest import TOKEN, invite

NAV = {"◀ Back", "✖ Cancel", "➖ Remove last", "➕ Add one", "↩ Keep"}
TYPED = {
    "e.g. today": "today",
    "e.g. 3pm": "3pm",
    "e.g. 45m": "45m",
    "A number": "7",
    "A name": "Alex",
}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB. VmHWM, not ru_maxrss, which on
    Linux also counts the parent's memory at the fork that started this process."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


def process_age() -> float:
    """Seconds since this process started (Linux /proc)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    return float(Path("/proc/uptime").read_text().split()[0]) - started


async def fill(
    storage: Storage, workers: int, per_worker: int, due: datetime, spread: float
) -> None:
    """Workers, one note each, ``per_worker`` actions each with a reminder due from ``due`` over
    ``spread`` seconds. Bulk inserts, sealed like the repositories seal."""
    ring = storage.ring
    async with storage.sessions.begin() as s:
        await s.execute(
            insert(Worker),
            [
                {
                    "telegram_user_id": 1_000_000 + i,
                    "role": "worker",
                    "timezone": "Europe/London",
                    "date_order": "DMY",
                    "tidy_chat": True,
                    "active": True,
                    "created_at": due,
                }
                for i in range(workers)
            ],
        )
    async with storage.sessions() as s:
        from sqlalchemy import select

        ids = list(await s.scalars(select(Worker.id).order_by(Worker.id)))
    total = workers * per_worker
    chunk = 5000
    rows_n, rows_a, rows_r = [], [], []
    for i, wid in enumerate(ids):
        nid = new_id()
        rows_n.append(
            {
                "id": nid,
                "worker_id": wid,
                "session_start": due - timedelta(days=1),
                "duration_minutes": 45,
                "template_id": "peer_support",
                "template_version": 1,
                "content_enc": ring.seal(b"{}", f"notes.content_enc.{nid}", wid),
                "status": "complete",
                "created_at": due - timedelta(days=1),
                "completed_at": due - timedelta(days=1),
                "late": False,
            }
        )
        for k in range(per_worker):
            aid, rid = new_id(), new_id()
            rows_a.append(
                {
                    "id": aid,
                    "note_id": nid,
                    "worker_id": wid,
                    "text_enc": ring.seal(b"Call the council", f"actions.text_enc.{aid}", wid),
                    "who": "worker",
                    "due": date(2026, 12, 1),
                    "done": False,
                }
            )
            n = i * per_worker + k
            rows_r.append(
                {
                    "id": rid,
                    "kind": Kind.ACTION,
                    "worker_id": wid,
                    "ref_id": aid,
                    "text_enc": ring.seal(b"A. S.", f"reminders.text_enc.{rid}", wid),
                    "due_at": due + timedelta(seconds=spread * n / max(total, 1)),
                    "cancelled": False,
                    "attempts": 0,
                }
            )
    async with storage.sessions.begin() as s:
        for rows, model in ((rows_n, Note), (rows_a, Action), (rows_r, Reminder)):
            for at in range(0, len(rows), chunk):
                await s.execute(insert(model), rows[at : at + chunk])


# ---- 1. start-up -------------------------------------------------------------------------


async def startup_child(url: str, keys: str) -> None:
    """In a fresh process: open, start the bot, run the start-up sweep; print the figures."""
    t0 = time.perf_counter()
    api = FakeBotApi()
    await api.start()
    storage = await open_storage(url, ring=load_key_ring(Path(keys)))
    opened = time.perf_counter()
    async with running_bot(TOKEN, api.base_url, Deps(storage)) as app:
        report = await reminding.sweep(app)
        ready = time.perf_counter()
        age = process_age()
        current, peak = rss_mb()
    pending = await storage.reminders.count_pending()
    await storage.close()
    await api.stop()
    print(
        json.dumps(
            {
                "open_s": opened - t0,
                "ready_s": ready - t0,
                "age_s": age,
                "rss_mb": current,
                "peak_mb": peak,
                "pending": pending,
                "sent": report.sent,
            }
        )
    )


async def dispose(admin: str | None, url: str) -> None:
    """Drop a database ``fresh`` made on a PostgreSQL server."""
    if admin is not None:
        from tests.conftest import _drop_pg_database

        await _drop_pg_database(admin, url)


async def fresh(admin: str | None, tmp: str) -> str:
    """A new empty database: a file in ``tmp``, or one on the PostgreSQL server ``admin``."""
    if admin is None:
        return f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
    from tests.conftest import _create_pg_database

    return await _create_pg_database(admin)


async def startup(pending: int, admin: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys.json"
        ring = KeyRing.generate()
        write_key_ring(keys, ring, overwrite=False)
        url = await fresh(admin, tmp)
        storage = await open_storage(url, ring=ring)
        t = time.perf_counter()
        await fill(
            storage, 1000, pending // 1000, datetime.now(UTC) + timedelta(days=1), 30 * 86400
        )
        print(
            f"wrote {await storage.reminders.count_pending()} pending reminders in "
            f"{time.perf_counter() - t:.1f} s"
        )
        await storage.close()
        t = time.perf_counter()
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--startup-child",
            url,
            str(keys),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await child.communicate()
        wall = time.perf_counter() - t
        await dispose(admin, url)
        figures = json.loads(out.decode().strip().splitlines()[-1])
        f = figures
        print(
            f"start-up with {f['pending']} pending: ready {f['age_s']:.2f} s after the process "
            f"started (imports {f['age_s'] - f['ready_s']:.2f} s, database open "
            f"{f['open_s']:.2f} s, polling and first sweep done {f['ready_s']:.2f} s after main "
            f"began), RSS {f['rss_mb']:.0f} MB (peak {f['peak_mb']:.0f} MB), {f['sent']} sent; "
            f"the whole process incl. shutdown {wall:.1f} s"
        )


# ---- 2. the burst ------------------------------------------------------------------------


def next_input(api: FakeBotApi, chat: int) -> str:
    """What a worker taking a note sends next: an option, Done/Skip, or a typed answer."""
    board = api.current_keyboard(chat)
    labels = board.labels if board else []
    if not labels or "📝 New note" in labels:
        return "📝 New note"
    for wanted in ("💾 Save note",):
        if wanted in labels:
            return wanted
    options = [x for x in labels if x not in NAV and not x.startswith(("✅", "⏭", "✏"))]
    if options:
        return options[0]
    for wanted in ("✅ Done", "⏭ Skip"):
        if wanted in labels:
            return wanted
    hint = (board.placeholder if board else "") or ""
    return next((v for k, v in TYPED.items() if hint.startswith(k)), "Talked it through.")


async def take_notes(
    api: FakeBotApi, person: object, stop: asyncio.Event, latencies: list[float], think: float
) -> None:
    chat = person.chat_id  # type: ignore[attr-defined]
    while not stop.is_set():
        text = next_input(api, chat)
        seen = len(api.calls)
        t0 = time.monotonic()
        api.user_message(person.user, chat, text)  # type: ignore[attr-defined]
        while True:
            hit = next(
                (
                    c
                    for c in api.calls[seen:]
                    if chat_of(c.params) == chat and c.method in ("sendMessage", "editMessageText")
                ),
                None,
            )
            if hit is not None:
                latencies.append(hit.at - t0)
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(think)


async def burst(n: int, admin: str | None, think: float, writers: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh(admin, tmp)
        storage = await open_storage(url, ring=KeyRing.generate())
        due = datetime.now(UTC) + timedelta(seconds=20)
        await fill(storage, max(n // 5, 1), min(n, 5), due, 0.0)  # all due at once
        api = FakeBotApi()
        await api.start()
        try:
            async with running_bot(TOKEN, api.base_url, Deps(storage)) as app:
                people = [await invite(storage, api, 9000 + i, f"W{i}") for i in range(writers)]
                stop, latencies = asyncio.Event(), []  # type: ignore[var-annotated]
                tasks = [
                    asyncio.create_task(take_notes(api, p, stop, latencies, think)) for p in people
                ]
                await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
                before, quiet = len(latencies), list(latencies)
                t0 = time.monotonic()
                report = await reminding.sweep(app)
                while report.sent < n:  # rows spread over the minute: sweep until all are out
                    await asyncio.sleep(1.0)
                    more = await reminding.sweep(app)
                    report.sent += more.sent
                took = time.monotonic() - t0
                during = latencies[before:]
                stop.set()
                await asyncio.gather(*tasks)
        finally:
            await api.stop()
            await storage.close()
            await dispose(admin, url)
    sends = [c for c in api.calls if c.method == "sendMessage" and chat_of(c.params) >= 1_000_000]
    opened = Counter(
        b["callback_data"]
        for c in sends
        for row in c.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("r|open|")
    )
    dupes = sum(v - 1 for v in opened.values())
    rate = reminding.ReminderConfig().per_second
    ideal = n / rate
    print(
        f"burst: {len(opened)} of {n} reminders delivered in {took:.1f} s "
        f"({len(opened) / took:.1f}/s; configured {rate:.0f}/s, ideal {ideal:.1f} s, "
        f"{(took / ideal - 1) * 100:+.1f}%), {dupes} duplicates"
    )
    if n < 10_000:
        print(f"  extrapolated to 10,000: {took * 10_000 / n:.0f} s at this rate")

    def pct(xs: list[float], p: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")

    print(
        f"{writers} workers taking notes ({think:.1f} s between answers): {len(during)} replies "
        f"during the burst, p50 {pct(during, 0.5):.0f} ms, p99 {pct(during, 0.99):.0f} ms, max "
        f"{max(during, default=0) * 1000:.0f} ms; before it p99 {pct(quiet, 0.99):.0f} ms"
    )
    if during:
        print(f"  mean {statistics.mean(during) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between answers")
    parser.add_argument(
        "--postgres", default=None, help="a PostgreSQL server URL to make databases on"
    )
    parser.add_argument("--writers", type=int, default=20, help="workers taking notes")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--startup-child", nargs=2, metavar=("URL", "KEYS"))
    args = parser.parse_args()
    if args.startup_child:
        asyncio.run(startup_child(*args.startup_child))
        return
    if not args.skip_startup:
        asyncio.run(startup(args.pending, args.postgres))
    if not args.skip_burst:
        asyncio.run(burst(args.burst, args.postgres, args.think, args.writers))


if __name__ == "__main__":
    main()
