"""/team: a supervisor's view of the workers in their team, and each worker's recent notes.

A supervisor reads a team member's records only through access.may_read; the list of notes
shows dates, shortened names and review states, and each opens the review screen."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.service import access, policy
from bot.service.deps import Turn
from bot.service.lookup import CLOSE, pager
from bot.service.people import shorten
from bot.service.replies import EXPIRED, Button, Notice, Reply, notice
from storage.records import WorkerRecord
from storage.repositories.team import ANSWERED, NEEDS_REVISION, REVIEWED, NoteHead, TeamFigures

FOR_SUPERVISORS = "That command is for supervisors: it shows the notes of your team."
PAGE = 8
NAME = 18
STATES = {
    REVIEWED: "reviewed",
    NEEDS_REVISION: "needs revision",
    ANSWERED: "awaiting review (revision answered)",
}
MARKS = {REVIEWED: "✓", NEEDS_REVISION: "✎", ANSWERED: "•"}


def is_supervisor(worker: WorkerRecord) -> bool:
    """Whether the worker supervises a team (only those see /team and review)."""
    return worker.active and worker.role == "supervisor" and worker.team is not None


async def members(turn: Turn) -> list[WorkerRecord]:
    """The active workers of the supervisor's team whose records they may read, not
    themselves."""
    me = turn.worker
    if not is_supervisor(me) or me.team is None:
        return []
    team = await turn.storage.workers.in_team(me.team)
    return [w for w in team if w.id != me.id and w.active and access.may_read(me, w)]


def week_start(now: datetime, timezone: str) -> datetime:
    """Monday 00:00 of this week in ``timezone``, as UTC."""
    today = policy.local_day(now, timezone)
    return policy.local_at(today - timedelta(days=today.weekday()), 0, timezone)


def _line(w: WorkerRecord, f: TeamFigures) -> str:
    notes = f"{f.notes_week} note{'s' if f.notes_week != 1 else ''} this week"
    if f.late_week:
        notes += f" ({f.late_week} late)"
    drafts = f"{f.drafts} unfinished draft{'s' if f.drafts != 1 else ''}"
    overdue = f"{f.overdue} overdue action{'s' if f.overdue != 1 else ''}"
    return f"{w.display_name or f'worker {w.id}'}: {notes} · {drafts} · {overdue}"


async def team(turn: Turn) -> Reply:
    """/team: each worker with this week's notes, late notes, drafts and overdue actions."""
    if not is_supervisor(turn.worker):
        return notice(FOR_SUPERVISORS)
    people = await members(turn)
    if not people:
        return notice(f"Nobody else is in team {turn.worker.team} yet.")
    now = turn.now
    figures = await turn.storage.team.figures(
        {w.id: week_start(now, w.timezone) for w in people},
        {w.id: policy.local_day(now, w.timezone) for w in people},
    )
    await turn.storage.audit.record("team.viewed", turn.worker.id)
    lines = [_line(w, figures.get(w.id, TeamFigures())) for w in people]
    lines.append(
        "\nWeeks start on Monday, in each worker's own timezone. Tap a worker to see "
        "their recent notes."
    )
    buttons = [
        (Button(f"👤 {shorten(w.display_name or f'worker {w.id}', 40)}", f"tm|{w.id}"),)
        for w in people
    ]
    title = f"Team {turn.worker.team}"
    return Reply(
        screens=(Notice("\n".join(lines), title),), buttons=(*buttons, (CLOSE,)), card=True
    )


def when(head: NoteHead, tz: str) -> str:
    """'Mon 23 Nov' (the session's day, else the day it was saved)."""
    local = (head.session_start or head.created_at).astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}"


def state(head: NoteHead) -> str:
    return STATES.get(head.review, "awaiting review")


async def names(turn: Turn, heads: tuple[NoteHead, ...]) -> dict[str, str]:
    """Participants' names (shortened) for notes whose workers the reader may read.

    Every name shown from another worker's caseload is audited as listed (a list of names
    is a disclosure too), as a search's list is."""
    out: dict[str, str] = {}
    by_owner: dict[int, list[str]] = {}
    for h in heads:
        if h.participant_id:
            by_owner.setdefault(h.worker_id, []).append(h.participant_id)
    for owner_id, ids in by_owner.items():
        owner = await turn.storage.workers.get(owner_id)
        if owner is None or not access.may_read(turn.worker, owner):
            continue
        for p in await turn.storage.participants.get_many(owner_id, ids):
            out[p.id] = shorten(p.name, NAME)
    others = (h.participant_id for h in heads if h.worker_id != turn.worker.id)
    shown = list(dict.fromkeys(pid for pid in others if pid and pid in out))
    await turn.storage.audit.record_many("participant.listed", turn.worker.id, shown)
    return out


async def worker_notes(turn: Turn, worker_id: int, page: int = 0, edit: bool = False) -> Reply:
    """A team member's notes, latest first: date, participant, review state; each opens the
    review screen."""
    owner = await turn.storage.workers.get(worker_id)
    if (
        not is_supervisor(turn.worker)
        or owner is None
        or owner.id == turn.worker.id
        or not access.may_read(turn.worker, owner)
    ):
        return Reply(toast=EXPIRED)
    listing = await turn.storage.team.recent_notes(owner.id, page, PAGE)
    who = owner.display_name or f"worker {owner.id}"
    if not listing.total:
        return notice(f"{who} has no saved notes yet.", buttons=((CLOSE,),), card=True)
    await turn.storage.audit.record("team.worker_viewed", turn.worker.id, str(owner.id))
    tz = turn.worker.timezone
    named = await names(turn, listing.items)
    lines, rows = [], []
    for h in listing.items:
        person = named.get(h.participant_id or "", "no participant")
        late = " · late" if h.late else ""
        lines.append(f"• {when(h, tz)} · {person}{late} · {state(h)}")
        mark = MARKS.get(h.review, "○")
        rows.append((Button(f"{mark} {when(h, tz)} · {person}", f"rv|{h.id}"),))
    head = f"Notes by {who} ({listing.total})"
    if listing.pages > 1:
        head += f", page {listing.page + 1} of {listing.pages}"
    nav = pager(listing, f"tm|{owner.id}|{{}}", "◀ Newer", "Older ▶")
    buttons = (*rows, *((nav,) if nav else ()), (CLOSE,))
    screen = Notice("\n".join(lines), head)
    return Reply(screens=(screen,), buttons=buttons, card=True, edit=edit)
