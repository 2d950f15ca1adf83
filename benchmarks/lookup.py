"""Time "/last Alex" on a seeded database: through the repositories (find by name word, the
latest note with its actions, the open actions), a typo ("Alx") that falls back to fuzzy
matching, and the whole round trip through the real bot over HTTP to the fake Bot API.

Run: PYTHONPATH=. .venv/bin/python benchmarks/lookup.py [seed.py's flags] [--lookups 2000]
It seeds the database first unless ``--reuse`` finds one with the same counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rapidfuzz import fuzz

from benchmarks.seed import options, prepare
from benchmarks.seed_rows import END
from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram.runner import running_bot
from storage.crypto import name_words
from storage.service import Storage

T = TypeVar("T")
TOKEN = "123456:BENCH-TOKEN"
Pair = tuple[int, str]  # (worker id, a first name as typed)


class Timer:
    """Collects how long each named step took, in milliseconds."""

    def __init__(self) -> None:
        self.steps: dict[str, list[float]] = {}

    async def step(self, name: str, call: Awaitable[T]) -> T:
        t0 = time.perf_counter()
        result = await call
        self.add(name, (time.perf_counter() - t0) * 1000)
        return result

    def add(self, name: str, ms: float) -> None:
        self.steps.setdefault(name, []).append(ms)

    def report(self, title: str) -> None:
        print(f"\n{title}")
        print(f"  {'step':<22}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for name, values in self.steps.items():
            p50, p99 = pct(values, 50), pct(values, 99)
            print(f"  {name:<22}{len(values):>6}{p50:>9.2f}{p99:>9.2f}{max(values):>9.2f}")


def pct(values: list[float], p: int) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def all_names(storage: Storage) -> dict[int, list[tuple[str, str]]]:
    """Every worker's participants as (id, name), decrypted once up front."""
    return {w.id: await storage.participants.names(w.id) for w in await storage.workers.list()}


async def exact(storage: Storage, pair: Pair, timer: Timer) -> None:
    """/last <first name>: word index, then the most recent match's card."""
    wid, typed = pair
    t0 = time.perf_counter()
    found = await timer.step("find_by_words", storage.participants.find_by_words(wid, typed))
    assert found, f"no match for worker {wid}"
    await timer.step("latest note + open actions", storage.notes.last_session(wid, found[0].id))
    timer.add("whole path", (time.perf_counter() - t0) * 1000)


def closeness(query: list[str], name: str) -> float:
    """Typed words against the name's words, as bot/service/people.py scores them."""
    words = name_words(name)
    if not query or not words:
        return 0.0
    per_word = sum(max(fuzz.ratio(q, w) for w in words) for q in query) / len(query)
    return max(per_word, fuzz.ratio("".join(query), "".join(words)))


async def fuzzy(storage: Storage, pair: Pair, timer: Timer) -> None:
    """/last Alx: the word index misses, so decrypt the worker's names and score them."""
    wid, typed = pair
    t0 = time.perf_counter()
    hit = await timer.step("find_by_words (miss)", storage.participants.find_by_words(wid, typed))
    assert not hit
    t1 = time.perf_counter()
    names = await storage.participants.names(wid)
    timer.add("names (decrypt all)", (time.perf_counter() - t1) * 1000)
    t1 = time.perf_counter()
    query = name_words(typed)
    scored = sorted(((closeness(query, n), pid) for pid, n in names), key=lambda s: -s[0])
    ids = [pid for score, pid in scored[:5] if score >= 70]
    timer.add("rapidfuzz score", (time.perf_counter() - t1) * 1000)
    close = await timer.step("get_many", storage.participants.get_many(wid, ids))
    assert close, f"no suggestion for worker {wid}"
    await timer.step("latest note + open actions", storage.notes.last_session(wid, close[0].id))
    timer.add("whole path", (time.perf_counter() - t0) * 1000)


def typo(name: str) -> str | None:
    """Drop a middle letter ('Alex' -> 'Alx'); None for names too short to misspell."""
    if len(name) < 4 or not name.isalpha():
        return None
    return name[: len(name) // 2] + name[len(name) // 2 + 1 :]


async def run_all(
    label: str, pairs: list[Pair], case: Callable[[Storage, Pair, Timer], Any], s: Storage
) -> Timer:
    """Look every pair up once untimed (warm caches, as on a server whose data fits in
    memory), then time each again."""
    for pair in pairs:
        await case(s, pair, Timer())
    timer = Timer()
    cpu = time.process_time()
    for pair in pairs:
        await case(s, pair, timer)
    cpu = (time.process_time() - cpu) * 1000 / max(1, len(pairs))
    timer.report(f"{label} (CPU of this process: {cpu:.2f} ms a lookup)")
    return timer


async def through_bot(storage: Storage, people: dict[int, list[tuple[str, str]]], n: int) -> None:
    """Send /last <first name> from seeded workers; time update queued -> reply received."""
    rng = random.Random(7)
    api = FakeBotApi()
    await api.start()
    kinds: dict[str, int] = {}
    timer = Timer()
    workers = {w.id: w for w in await storage.workers.list()}
    unique = {w: one_match(names) for w, names in people.items()}
    unique = {w: firsts for w, firsts in unique.items() if firsts}
    picks = [(w, rng.choice(unique[w])) for w in rng.choices(list(unique), k=n + 30)]
    for pair in picks:  # warm caches, as for the repository figures
        await exact(storage, pair, Timer())
    try:
        async with running_bot(TOKEN, api.base_url, Deps(storage, now=lambda: END)):
            for i, (wid, first) in enumerate(picks):
                tg = workers[wid].telegram_user_id
                user = {"id": tg, "is_bot": False, "first_name": "W"}
                before = len(api.calls)
                t0 = time.monotonic()
                api.user_message(user, tg, f"/last {first}")
                reply = await replied(api, tg, before)
                if i >= 30:  # the first few warm the bot (imports, templates, connections)
                    timer.add("/last -> reply", (reply.at - t0) * 1000)
                    text = str(reply.params.get("text", ""))
                    kind = "card" if "Last session with" in text else text[:40]
                    kinds[kind] = kinds.get(kind, 0) + 1
                await quiet(api)
    finally:
        await api.stop()
    timer.report("through the bot (fake Bot API over HTTP, sequential)")
    print("  replies:", kinds)


def one_match(names: list[tuple[str, str]]) -> list[str]:
    """First names that match one participant only (so /last shows the card, not a choice)."""
    seen: dict[str, int] = {}
    for _, name in names:
        for word in name_words(name):
            seen[word] = seen.get(word, 0) + 1
    return [n.split()[0] for _, n in names if seen[name_words(n.split()[0])[0]] == 1]


async def replied(api: FakeBotApi, chat: int, before: int) -> Any:
    """The first message the bot sent to ``chat`` after call number ``before``."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for call in api.calls[before:]:
            if call.method == "sendMessage" and call.params.get("chat_id") in (chat, str(chat)):
                return call
        async with api.changed:
            await asyncio.wait_for(api.changed.wait(), 15)
    raise AssertionError("the bot did not reply")


async def quiet(api: FakeBotApi, gap: float = 0.05) -> None:
    """Wait until the bot has made no call for ``gap`` seconds (its reply is complete)."""
    seen = -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(gap)


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lookups", type=int, default=2000)
    p.add_argument("--bot-lookups", type=int, default=300)
    args, _ = p.parse_known_args()
    storage = await prepare(options())
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other work skews p99)")
    try:
        people = await all_names(storage)
        rng = random.Random(3)
        wids = [w for w in people if people[w]]
        picks = rng.choices(wids, k=args.lookups)
        pairs = [(w, rng.choice(people[w])[1].split()[0]) for w in picks]
        await run_all("exact first name (e.g. /last Alex)", pairs, exact, storage)
        typos = []
        for wid, first in pairs:
            t = typo(first)
            if t and not await storage.participants.find_by_words(wid, t):
                typos.append((wid, t))
        await run_all("typo (e.g. /last Alx): fuzzy fallback", typos, fuzzy, storage)
        if args.bot_lookups:
            await through_bot(storage, people, args.bot_lookups)
    finally:
        await storage.close()


if __name__ == "__main__":
    asyncio.run(main())
