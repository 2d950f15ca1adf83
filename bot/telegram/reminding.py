"""The reminder sweep: claim due rows, send them at a steady pace, mark them sent.

A JobQueue job runs it every 30 seconds and once at start-up (anything due while the bot was
down goes out then, saying how late). The reminders table is the truth; nothing is kept in
APScheduler. Sending is paced through slots reserved in the database, so all instances
together stay under ``per_second`` (default 20/s, leaving Telegram's other ~10/s of a bot's
30/s for replies to workers), one chat gets at most one reminder a second, and rows go out in
due order. A 403 holds that worker's reminders until any update from them shows they are
back; a 429 or a failure is retried with backoff; a timed-out send counts as sent, since it
may have arrived and must not arrive twice. For the same reason a row is marked 'sending'
before its Bot API call, and one left so (a crash, a shutdown) counts as sent once its
claim's lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot
from telegram.error import Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.service import policy, reminders
from bot.service.deps import Deps
from bot.telegram.deliver import send_html
from bot.telegram.render import markup, messages
from storage.records import ReminderRecord

log = logging.getLogger(__name__)
#: Sends start within this share of a claim's lease (measured from the claim).
SEND_WINDOW = 0.5


@dataclass(frozen=True)
class ReminderConfig:
    """How the sweep sends: rate over all instances, batch size, claim lease, chat spacing."""

    per_second: float = 20.0
    every: float = 30.0
    batch: int = 100
    lease: timedelta = timedelta(minutes=5)
    chat_gap: float = 1.0


@dataclass
class SweepReport:
    """What one sweep did (counts only)."""

    made: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    given_up: int = 0
    blocked: int = 0
    most_late: timedelta = timedelta(0)


@dataclass
class Sweeper:
    """One instance's sender. Its lock keeps its own sweeps from overlapping; other instances
    are kept apart by the claims in the database."""

    bot: Bot
    deps: Deps
    config: ReminderConfig = field(default_factory=ReminderConfig)

    def __post_init__(self) -> None:
        self.instance = f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lock = asyncio.Lock()
        self._chat_ready: dict[int, float] = {}
        #: Chats that answered 403 in this sweep: their other reminders are not tried.
        self._blocked: set[int] = set()

    async def sweep(self) -> SweepReport:
        """Make the derived rows, then send every due reminder, batch after batch."""
        async with self.lock:
            report = SweepReport()
            report.made = await reminders.make_due_rows(self.deps)
            sending: list[asyncio.Task[None]] = []
            while True:
                token = f"{self.instance}:{uuid.uuid4().hex[:8]}"
                claimed = time.time()  # the lease runs from here, not from when sends start
                batch = await self.deps.storage.reminders.claim_due(
                    token,
                    self.deps.now(),
                    self.config.batch,
                    self.config.lease,
                    policy.MAX_ATTEMPTS,
                )
                if not batch:
                    break
                started = time.time()
                last_slot = await self._schedule(token, claimed, batch, report, sending)
                if len(batch) < self.config.batch:
                    break
                # Claim the next batch before this one's slots run out, early enough to have it
                # ready in time (no gap), but only once half of it has really gone (a slow
                # instance must not hoard rows).
                lead = 1.0 + 2 * (time.time() - started)
                await asyncio.sleep(max(0.0, last_slot - time.time() - lead))
                sending = [t for t in sending if not t.done()]
                while len(sending) > self.config.batch // 2:
                    await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    sending = [t for t in sending if not t.done()]
            await asyncio.gather(*sending)
            self._forget_quiet_chats()
            self._blocked.clear()
            if report.sent or report.retried or report.blocked or report.given_up:
                log.info(
                    "reminders: %d sent (oldest %s late), %d skipped, %d to retry, "
                    "%d given up, %d workers unreachable",
                    report.sent,
                    report.most_late,
                    report.skipped,
                    report.retried,
                    report.given_up,
                    report.blocked,
                )
            return report

    async def _schedule(
        self,
        token: str,
        claimed: float,
        batch: list[ReminderRecord],
        report: SweepReport,
        sending: list[asyncio.Task[None]],
    ) -> float:
        """Compose a claimed batch and start its sends at reserved slots; return the last."""
        storage = self.deps.storage
        ready: list[reminders.Outgoing] = []
        for item in await self._compose(token, batch, report):
            if isinstance(item, reminders.Skipped):
                await storage.reminders.drop(item.reminder.id, token, item.reason[:32])
                report.skipped += 1
            else:
                ready.append(item)
        if not ready:
            return time.time()
        rate = self.config.per_second
        first = await storage.reminders.reserve_slots(len(ready), rate, time.time())
        # Sends start within the first half of the claim's lease, leaving the rest for a slow
        # call and its settling; later slots are given back (uncounted) for the next sweep.
        lease = self.config.lease.total_seconds()
        start_by, give_up_at = claimed + lease * SEND_WINDOW, claimed + lease * 0.8
        last = first
        for out, slot in self._timetable(ready, first, rate):
            if slot > start_by:  # many due (or the shared pace is far ahead): next sweep
                await storage.reminders.release(out.reminder.id, token, self.deps.now(), None)
                continue
            last = max(last, slot)
            sending.append(asyncio.create_task(self._send(out, token, slot, report, give_up_at)))
        return last

    async def _compose(
        self, token: str, batch: list[ReminderRecord], report: SweepReport
    ) -> list[reminders.Outgoing | reminders.Skipped]:
        """Compose the batch; if that fails, row by row, so one bad row only fails itself."""
        try:
            return await reminders.compose(self.deps, batch)
        except Exception as exc:
            log.warning("reminder batch failed to compose: %s", type(exc).__name__)
        items: list[reminders.Outgoing | reminders.Skipped] = []
        for r in batch:
            try:
                items.extend(await reminders.compose(self.deps, [r]))
            except Exception as exc:
                log.warning("reminder %s failed to compose: %s", r.id, type(exc).__name__)
                await self._retry(r, token, report, type(exc).__name__)
        return items

    def _timetable(
        self, ready: list[reminders.Outgoing], first: float, rate: float
    ) -> list[tuple[reminders.Outgoing, float]]:
        """Give each reminder a reserved slot: the earliest-due one whose chat may receive
        at that moment (one a second per chat), else the one whose chat is ready soonest."""
        waiting, plan = list(ready), []
        for i in range(len(ready)):
            slot = first + i / rate
            pick = next((o for o in waiting if self._chat_ready.get(o.chat_id, 0.0) <= slot), None)
            if pick is None:
                pick = min(waiting, key=lambda o: self._chat_ready.get(o.chat_id, 0.0))
                slot = self._chat_ready[pick.chat_id]
            waiting.remove(pick)
            self._chat_ready[pick.chat_id] = slot + self.config.chat_gap
            plan.append((pick, slot))
        return plan

    async def _send(
        self,
        out: reminders.Outgoing,
        token: str,
        slot: float,
        report: SweepReport,
        give_up_at: float = float("inf"),
    ) -> None:
        """Send one reminder at its slot and settle its row, whatever happens."""
        delay = slot - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        storage, r = self.deps.storage, out.reminder
        if time.time() > give_up_at:  # held up (a stalled loop): too near the lease's end
            await storage.reminders.release(r.id, token, self.deps.now(), None)
            return
        if out.chat_id in self._blocked:  # held until they are back
            await storage.reminders.release(r.id, token, self.deps.now(), "Forbidden", False)
            return
        # Marked 'sending' under the claim, in the same statement that checks it is still
        # wanted (not cancelled, worker active): whatever happens next, never sent twice.
        if not await storage.reminders.begin_send(r.id, token, self.deps.now()):
            report.skipped += 1
            return
        try:
            ids = await send_html(self.bot, out.chat_id, messages(out.reply), markup(out.reply))
        except asyncio.CancelledError:  # shutting down mid-call: it may have arrived
            # Settle it as sent before giving way (left 'sending' if even that is cut short).
            await storage.reminders.mark_sent(r.id, token, self.deps.now())
            raise
        except Forbidden:
            report.blocked += 1
            self._blocked.add(out.chat_id)
            await storage.reminders.worker_unreachable(r.worker_id, self.deps.now())
            await storage.reminders.release(r.id, token, self.deps.now(), "Forbidden", False)
            return
        except TimedOut:
            ids = []  # it may have arrived: never send it twice
        except RetryAfter as exc:  # longer than the rate limiter's retry budget
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            await self._retry(r, token, report, "RetryAfter", timedelta(seconds=seconds))
            return
        except TelegramError as exc:
            await self._retry(r, token, report, type(exc).__name__)
            return
        except Exception as exc:  # never let one reminder stop the sweep
            log.warning("reminder send failed: %s", type(exc).__name__)
            await self._retry(r, token, report, type(exc).__name__)
            return
        now = self.deps.now()
        if await storage.reminders.mark_sent(r.id, token, now):
            report.sent += 1
            report.most_late = max(report.most_late, now - r.due_at)
        if out.reply.remember and ids:
            # Tidied away with the note it is about, when that note is saved or discarded.
            await storage.drafts.remember_messages(
                out.reply.remember, r.worker_id, out.chat_id, ids, now
            )

    async def _retry(
        self,
        r: ReminderRecord,
        token: str,
        report: SweepReport,
        error: str,
        at_least: timedelta = timedelta(0),
    ) -> None:
        now, storage = self.deps.now(), self.deps.storage
        again = policy.retry_at(r.attempts + 1, now)  # this failure counts too
        if again is None:
            report.given_up += 1
            await storage.reminders.drop(r.id, token, error[:32])
            return
        report.retried += 1
        await storage.reminders.release(r.id, token, max(again, now + at_least), error[:32])

    def _forget_quiet_chats(self) -> None:
        now = time.time()
        self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}


def sweeper_of(app: Application) -> Sweeper:  # type: ignore[type-arg]
    """The application's sweeper (made on first use, with its config if one was set)."""
    found = app.bot_data.get("sweeper")
    if not isinstance(found, Sweeper):
        config = app.bot_data.get("reminder_config")
        deps = app.bot_data["deps"]
        found = Sweeper(
            app.bot, deps, config if isinstance(config, ReminderConfig) else ReminderConfig()
        )
        app.bot_data["sweeper"] = found
    return found


async def sweep(app: Application) -> SweepReport:  # type: ignore[type-arg]
    """Run one sweep now (the job's work; tests call it with a moved clock)."""
    return await sweeper_of(app).sweep()


async def sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue job: start a sweep unless one is still sending (a burst can take minutes)."""
    sweeper = sweeper_of(context.application)
    if sweeper.lock.locked():
        return
    try:
        await sweeper.sweep()
    except Exception as exc:  # the next tick tries again; rows stay in the table
        log.error("reminder sweep failed: %s", type(exc).__name__)


def schedule(app: Application, config: ReminderConfig | None = None) -> None:  # type: ignore[type-arg]
    """Run the sweep at start-up and then every ``config.every`` seconds."""
    if config is not None:
        app.bot_data["reminder_config"] = config
    every = config.every if config is not None else ReminderConfig().every
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            sweep_job, interval=every, first=0.5, name="reminders", job_kwargs={"max_instances": 2}
        )
