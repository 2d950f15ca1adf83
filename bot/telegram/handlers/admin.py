"""Admin commands: /workers, /invite, /setteam, /setrole, /remove (admins only)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.service import admin
from bot.service.deps import Turn
from bot.telegram.access import workers_only
from bot.telegram.deliver import deliver


@workers_only
async def workers(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/workers: everyone, with id, role, team and state."""
    await deliver(context.bot, turn, await admin.workers(turn))


@workers_only
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/invite ROLE [TEAM]: a one-time code, shown once."""
    args = list(context.args or [])
    username = context.bot.username if admin.is_admin(turn) else None
    await deliver(context.bot, turn, await admin.invite(turn, args, username))


@workers_only
async def set_team(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/setteam ID TEAM."""
    await deliver(context.bot, turn, await admin.set_team(turn, list(context.args or [])))


@workers_only
async def set_role(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/setrole ID ROLE."""
    await deliver(context.bot, turn, await admin.set_role(turn, list(context.args or [])))


@workers_only
async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/remove ID."""
    await deliver(context.bot, turn, await admin.remove(turn, list(context.args or [])))
