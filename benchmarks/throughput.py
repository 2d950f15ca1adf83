"""On-demand figures: 40 workers completing notes at once through the real Application over
real HTTP, against the fake Bot API with a round-trip latency on every call, beside a bare PTB
echo bot with the same rate limiter on the same kind of server.

- throughput: every worker answers as soon as the bot has handled its previous answer;
  answers (updates) handled per second, ours and the echo bot's, and the ratio.
- latency: every worker pauses ``--pause`` s between answers; per-answer latency p50/p99,
  from the update being queued to the first reply landing at the Bot API.

Run: PYTHONPATH=. .venv/bin/python benchmarks/throughput.py [--seconds 30] [--profile out.txt]
(``--limiter aio`` uses PTB's plain AIORateLimiter for both bots; ``--db`` a PostgreSQL URL.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

from bot.fakeapi import FakeBotApi
from bot.fakeapi.server import chat_of
from bot.service.deps import Deps
from bot.telegram.app import build_application, set_command_menu
from bot.telegram.ratelimit import PerCallRateLimiter
from storage.crypto import KeyRing
from storage.service import Storage, open_storage
from tests.bot.conftest import START, TOKEN, FakeClock
from tests.bot.harness import Person

WORKERS = 40
LATENCY = 0.040
#: An update not handled within this long means the run is broken, not slow.
STUCK = 60.0


# ---- watching the bot: when has it handled a user's update? ------------------------------
@dataclass
class Done:
    """Updates handled per user, as the bot's update processor finishes them."""

    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def watch(self, app: Application) -> None:  # type: ignore[type-arg]
        """Wrap the app's update processor so each finished update is counted."""
        processor = app.update_processor
        inner = processor.do_process_update

        async def counted(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await inner(update, coroutine)
            finally:
                if isinstance(update, Update) and update.effective_user is not None:
                    self.counts[update.effective_user.id] += 1
                    async with self.changed:
                        self.changed.notify_all()

        processor.do_process_update = counted  # type: ignore[method-assign]

    async def wait(self, user_id: int, count: int) -> None:
        async with asyncio.timeout(STUCK), self.changed:
            await self.changed.wait_for(lambda: self.counts[user_id] >= count)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    answers: int = 0
    chat_calls: int = 0
    notes: int = 0
    astray: list[str] = field(default_factory=list)


class SimWorker(Person):
    """A worker whose say()/tap() wait for the bot to handle that update, not for quiet."""

    done: Done
    stats: Stats
    pause: float = 0.0
    count: int = 0

    async def _send(self, push: Callable[[], object]) -> list[Any]:
        before = len(self.api.calls)
        t0 = time.monotonic()
        push()
        self.count += 1
        await self.done.wait(self.user_id, self.count)
        mine = [c for c in self.api.calls[before:] if self._is_mine(c.params)]
        self.stats.answers += 1
        self.stats.chat_calls += sum(1 for c in mine if "chat_id" in c.params)
        shown = [c for c in mine if "chat_id" in c.params] or mine  # the reply, else the toast
        if shown:
            self.stats.latencies.append(shown[0].at - t0)
        if self.pause:
            await asyncio.sleep(self.pause)
        return mine

    def _is_mine(self, params: dict[str, Any]) -> bool:
        if chat_of(params) == self.chat_id:
            return True
        query = params.get("callback_query_id")
        return query is not None and self.api._queries.get(str(query)) == self.chat_id

    async def say(self, text: str | None = None, **extra: Any) -> list[Any]:
        return await self._send(
            lambda: self.api.user_message(
                self.user, self.chat_id or 0, text, self.chat_type, **extra
            )
        )

    async def press(self, message_id: int, data: str) -> list[Any]:
        return await self._send(
            lambda: self.api.user_taps(self.user, self.chat_id or 0, message_id, data)
        )


def sim_worker(api: FakeBotApi, user_id: int, done: Done, stats: Stats) -> SimWorker:
    w = SimWorker(api, user_id, f"W{user_id}")
    w.done, w.stats = done, stats
    return w


# ---- what each worker does -------------------------------------------------------------
NOTE: list[tuple[str, str]] = [
    ("say", "/new"),
    ("tap", "Yesterday"),
    ("say", "3pm"),
    ("tap", "45 min"),
    ("tap", "One-to-one"),
    ("tap", "Skip"),
    ("say", "Alex"),
    ("say", "34, they/them"),
    ("tap", "Yes"),
    ("tap", "Anxiety"),
    ("tap", "Housing"),
    ("tap", "Done"),
    ("say", "Worried about eviction"),
    ("say", "Talked it through."),
    ("tap", "Done"),
    ("tap", "Calm"),
    ("tap", "Done"),
    ("tap", "Skip"),
    ("tap", "7"),
    ("say", "Call the council"),
    ("tap", "Participant"),
    ("tap", "In a week"),
    ("tap", "Done"),
    ("tap", "Skip"),
    ("tap", "Skip"),
    ("tap", "Save note"),
]


async def complete_notes(w: SimWorker, until: float) -> None:
    """Complete notes, one after another, until the deadline (counting any that go astray)."""
    while time.monotonic() < until:
        for kind, arg in NOTE:
            if time.monotonic() >= until:
                return
            try:
                await (w.say(arg) if kind == "say" else w.tap(arg))
            except AssertionError as exc:  # the button expected is not there
                w.stats.astray.append(f"{arg!r}: {exc}"[:300])
                await w.say("/cancel")
                break
        else:
            w.stats.notes += 1


async def echo_chat(w: SimWorker, until: float) -> None:
    """Send short texts, each after the previous echo, until the deadline."""
    i = 0
    while time.monotonic() < until:
        i += 1
        await w.say(f"message {i}")


# ---- the two bots ----------------------------------------------------------------------
def limiter(kind: str) -> AIORateLimiter:
    return PerCallRateLimiter() if kind == "ours" else AIORateLimiter()


@contextlib.asynccontextmanager
async def our_bot(
    api: FakeBotApi, db: str | None, kind: str, done: Done
) -> AsyncIterator[Storage]:
    """The real bot, started as running_bot starts it (``--limiter aio``: PTB's limiter)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        storage = await open_storage(url, ring=KeyRing.generate())
        app = build_application(TOKEN, api.base_url, Deps(storage, now=FakeClock(START)))
        if kind != "ours":
            app.bot._rate_limiter = limiter(kind)  # type: ignore[attr-defined]
        done.watch(app)
        try:
            async with app:
                await set_command_menu(app)
                await app.start()
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0.0, timeout=10)
                try:
                    yield storage
                finally:
                    await app.updater.stop()
                    await app.stop()
        finally:
            await storage.close()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


@contextlib.asynccontextmanager
async def echo_bot(api: FakeBotApi, kind: str, done: Done) -> AsyncIterator[None]:
    """A bare PTB echo bot: one sendMessage per message, updates handled concurrently."""
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(api.base_url)
        .rate_limiter(limiter(kind))
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    done.watch(app)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


# ---- runs ------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    seconds: float
    stats: Stats
    #: CPU seconds of this process (bot, fake server and simulated workers together).
    cpu: float
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.stats.answers / self.seconds

    def pct(self, q: float) -> float:
        xs = sorted(self.stats.latencies)
        return 1000 * xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


async def run(
    name: str, bot: str, kind: str, seconds: float, pause: float, db: str | None
) -> Result:
    """Start a server and a bot, register the workers, then let them work for ``seconds``."""
    api = FakeBotApi(latency=LATENCY)
    await api.start()
    done = Done()
    warm, stats = Stats(), Stats()
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    try:
        ctx = our_bot(api, db, kind, done) if bot == "ours" else echo_bot(api, kind, done)
        async with ctx as storage:
            workers = [sim_worker(api, 20000 + i, done, warm) for i in range(WORKERS)]
            if bot == "ours":
                assert isinstance(storage, Storage)
                for w in workers:
                    code = (await storage.workers.create_invite(now=START)).code
                    await w.say(f"/start {code}")
            for w in workers:
                w.stats, w.pause = stats, pause
            act = complete_notes if bot == "ours" else echo_chat
            t0, cpu0 = time.monotonic(), time.process_time()
            until = t0 + seconds

            async def start(w: SimWorker) -> None:
                if pause:  # arrive spread over one pause, as people do
                    await asyncio.sleep(random.uniform(0, pause))
                await act(w, until)

            await asyncio.gather(*(start(w) for w in workers))
            elapsed, cpu = time.monotonic() - t0, time.process_time() - cpu0
    finally:
        await api.stop()
        logging.getLogger().removeHandler(errors)
    return Result(name, elapsed, stats, cpu, errors.lines)


class ErrorCount(logging.Handler):
    """Counts ERROR log lines (handler failures) during a run."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def report(results: list[Result]) -> None:
    print(
        f"{'run':<34} {'answers':>7} {'s':>6} {'per s':>7} {'calls/ans':>9} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'CPU ms/ans':>10}"
    )
    for r in results:
        s = r.stats
        print(
            f"{r.name:<34} {s.answers:>7} {r.seconds:>6.1f} {r.rate:>7.2f} "
            f"{s.chat_calls / max(1, s.answers):>9.2f} {r.pct(0.5):>7.0f} {r.pct(0.99):>7.0f} "
            f"{r.pct(1.0):>7.0f} {1000 * r.cpu / max(1, s.answers):>10.1f}"
        )
    for r in results:
        if r.stats.notes or r.stats.astray or r.errors:
            print(
                f"  {r.name}: {r.stats.notes} notes saved, {len(r.stats.astray)} astray, "
                f"{len(r.errors)} error log lines"
            )
            for line in [*r.stats.astray[:3], *sorted(set(r.errors))[:5]]:
                print(f"    {line}")


def save_profile(path: str, text: str) -> None:
    Path(path).write_text(text)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput run length")
    parser.add_argument("--latency-seconds", type=float, default=60.0, help="paced run length")
    parser.add_argument("--pause", type=float, default=4.0)
    parser.add_argument("--limiter", choices=["ours", "aio"], default="ours")
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file)")
    parser.add_argument("--only", choices=["throughput", "latency"], default=None)
    parser.add_argument("--profile", default=None, help="pyinstrument our throughput run here")
    args = parser.parse_args()
    print(
        f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"load {os.getloadavg()[0]:.2f} · {WORKERS} workers · {LATENCY * 1000:.0f} ms per call · "
        f"limiter {args.limiter} · {'PostgreSQL' if args.db else 'SQLite'}"
    )
    results: list[Result] = []
    lim = args.limiter
    if args.only in (None, "throughput"):
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled")
            profiler.start()
        ours = await run(f"casenotes, flat out ({lim})", "ours", lim, args.seconds, 0, args.db)
        if profiler is not None:
            profiler.stop()
            save_profile(args.profile, profiler.output_text(unicode=True, show_all=False))
        echo = await run(f"echo bot, flat out ({lim})", "echo", lim, args.seconds, 0, None)
        results += [ours, echo]
        report(results)
        print(f"throughput ratio casenotes / echo: {ours.rate / echo.rate:.2f}")
    if args.only in (None, "latency"):
        secs, pause = args.latency_seconds, args.pause
        paced = [
            await run(f"casenotes, {pause:g} s pauses ({lim})", "ours", lim, secs, pause, args.db),
            await run(f"echo bot, {pause:g} s pauses ({lim})", "echo", lim, secs, pause, None),
        ]
        results += paced
        report(results)


if __name__ == "__main__":
    asyncio.run(main())
