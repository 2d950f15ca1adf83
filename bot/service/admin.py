"""Managing workers from the bot, for admins: list, invite, change team or role, remove.

Admin is a right to manage, not to read: nothing here shows a note or a participant, and
being an admin opens no record (access.may_read). Every change is audited with the admin's
worker id."""

from __future__ import annotations

import re

from bot.service.deps import Turn
from bot.service.replies import Notice, Reply, notice
from storage.records import WorkerRecord
from storage.repositories.workers import READING_ROLES, ROLES

FOR_ADMINS = "That command is for admins: it manages workers and teams."
ID = re.compile(r"[0-9]{1,9}")
#: A team name: letters, digits, spaces and a little punctuation, as an operator types it.
TEAM = re.compile(r"[\w][\w .&'()-]{0,63}")
NO_TEAM = "-"


def is_admin(turn: Turn) -> bool:
    return turn.worker.active and turn.worker.is_admin


def _describe(w: WorkerRecord) -> str:
    state = "active" if w.active else "removed"
    admin = " · admin" if w.is_admin else ""
    return f"{w.id} · {w.display_name or '?'} · {w.role}{admin} · team {w.team or '-'} · {state}"


async def workers(turn: Turn) -> Reply:
    """/workers: everyone, with id, role, team and whether they are active."""
    if not is_admin(turn):
        return notice(FOR_ADMINS)
    rows = await turn.storage.workers.list()
    lines = [_describe(w) for w in rows]
    lines.append("\n/setteam ID TEAM · /setrole ID worker|supervisor · /remove ID · /invite ROLE")
    return Reply(screens=(Notice("\n".join(lines), f"Workers ({len(rows)})"),))


def _team(words: list[str]) -> str | ValueError | None:
    typed = " ".join(words).strip()
    if typed == NO_TEAM:
        return None
    if not TEAM.fullmatch(typed):
        return ValueError("A team name is up to 64 letters, digits or spaces (or - for no team).")
    return typed


async def invite(turn: Turn, args: list[str], bot_username: str | None) -> Reply:
    """/invite ROLE [TEAM]: a one-time code (72 hours), shown once."""
    if not is_admin(turn):
        return notice(FOR_ADMINS)
    if not args or args[0].lower() not in ROLES:
        return notice("Usage: /invite worker|supervisor|admin [team]")
    team = _team(args[1:]) if args[1:] else None
    if isinstance(team, ValueError):
        return notice(str(team))
    made = await turn.storage.workers.create_invite(
        args[0].lower(), team, turn.now, by=turn.worker.id
    )
    how = (
        f"https://t.me/{bot_username}?start={made.code}" if bot_username else f"/start {made.code}"
    )
    text = (
        f"Invite for a {made.role} (team {made.team or '-'}), valid 72 hours, once:\n{how}\n"
        "Pass it on privately; it is not shown again."
    )
    return notice(text)


async def _target(turn: Turn, args: list[str], usage: str) -> WorkerRecord | Reply:
    if not is_admin(turn):
        return notice(FOR_ADMINS)
    if not args or not ID.fullmatch(args[0]):
        return notice(usage)
    found = await turn.storage.workers.get(int(args[0]))
    if found is None:
        return notice(f"There is no worker with id {args[0]}.")
    if found.id == turn.worker.id:
        # Admin grants no reading; an admin making themselves a team's supervisor would.
        return notice("You can't change your own role, team or access; ask another admin.")
    return found


async def set_team(turn: Turn, args: list[str]) -> Reply:
    """/setteam ID TEAM: move a worker (and their caseload) to another team."""
    usage = "Usage: /setteam ID TEAM (or - for no team); /workers lists the ids."
    target = await _target(turn, args, usage)
    if isinstance(target, Reply):
        return target
    if len(args) < 2:
        return notice(usage)
    team = _team(args[1:])
    if isinstance(team, ValueError):
        return notice(str(team))
    done = await turn.storage.workers.set_team(target.id, team, by=turn.worker.id)
    return notice(f"Done: {_describe(done)}" if done else f"No worker with id {target.id}.")


async def set_role(turn: Turn, args: list[str]) -> Reply:
    """/setrole ID worker|supervisor."""
    usage = "Usage: /setrole ID worker|supervisor; /workers lists the ids."
    target = await _target(turn, args, usage)
    if isinstance(target, Reply):
        return target
    if len(args) != 2 or args[1].lower() not in READING_ROLES:
        return notice(usage)
    done = await turn.storage.workers.set_role(target.id, args[1].lower(), by=turn.worker.id)
    return notice(f"Done: {_describe(done)}" if done else f"No worker with id {target.id}.")


async def remove(turn: Turn, args: list[str]) -> Reply:
    """/remove ID: end a worker's access at once (their notes are kept)."""
    target = await _target(turn, args, "Usage: /remove ID; /workers lists the ids.")
    if isinstance(target, Reply):
        return target
    if not target.active:
        return notice(f"Worker {target.id} was already removed.")
    await turn.storage.workers.deactivate(target.id, by=turn.worker.id)
    return notice(f"Worker {target.id} removed: their access ended; their notes are kept.")
