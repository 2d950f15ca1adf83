"""'What happened last time with Alex?': /last, /participants and their buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import EXPIRED, chat_of, workers_only
from bot.deps import deps
from bot.keyboards import simple_keyboard
from bot.messaging import send_blocks
from bot.note_flow import pause
from bot.rendering import esc, last_session_html, split_html
from conversations.template import get_template
from storage.records import ParticipantRecord, WorkerRecord


def _label(p: ParticipantRecord, tz: str) -> str:
    if p.last_session_at is None:
        return p.name
    local = p.last_session_at.astimezone(ZoneInfo(tz))
    return f"{p.name} · {local:%a} {local.day} {local:%b}"


async def _card(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    worker: WorkerRecord,
    person: ParticipantRecord,
) -> None:
    d = deps(context)
    chat_id = chat_of(update)
    notes = await d.storage.notes.for_participant(worker.id, person.id, limit=1)
    if not notes:
        await send_blocks(
            context.bot, chat_id, [f"No sessions recorded with {esc(person.name)} yet."]
        )
        return
    note = notes[0]
    try:
        template = get_template(note.template_id)
    except LookupError:
        template = None
    actions = await d.storage.notes.open_actions(worker.id, person.id)
    blocks = last_session_html(person.name, note, template, actions, worker.timezone, d.now())
    await send_blocks(context.bot, chat_id, split_html(blocks))


async def show_recent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord, limit: int = 8
) -> None:
    """Buttons for the worker's most recent participants."""
    d = deps(context)
    chat_id = chat_of(update)
    people = await d.storage.participants.recent(worker.id, limit)
    if not people:
        await send_blocks(
            context.bot,
            chat_id,
            ["You have no participants yet. They are added as you write notes."],
        )
        return
    keyboard = simple_keyboard(
        [(_label(p, worker.timezone), f"l|{p.id}") for p in people], width=1
    )
    await send_blocks(context.bot, chat_id, ["Whose last session?"], keyboard)


@workers_only
async def last(update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord) -> None:
    """/last [name]: the last session with someone, found through the blind index."""
    d = deps(context)
    await pause(d, await d.storage.drafts.get(worker.id))
    name = " ".join(context.args or []).strip()
    if not name:
        await show_recent(update, context, worker)
        return
    found = await d.storage.participants.find_by_name(worker.id, name)
    chat_id = chat_of(update)
    if not found:
        await send_blocks(
            context.bot,
            chat_id,
            [f"I can't find anyone called {esc(name)} among your participants."],
        )
        return
    if len(found) == 1:
        await _card(update, context, worker, found[0])
        return
    keyboard = simple_keyboard([(_label(p, worker.timezone), f"l|{p.id}") for p in found], width=1)
    await send_blocks(context.bot, chat_id, [f"More than one {esc(name)}. Which one?"], keyboard)


@workers_only
async def participants(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """/participants: recent participants, one tap from their last session."""
    d = deps(context)
    await pause(d, await d.storage.drafts.get(worker.id))
    await show_recent(update, context, worker, limit=12)


@workers_only
async def lookup_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """A participant button (l|<id>): only the worker's own participants answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    d = deps(context)
    person = await d.storage.participants.get(worker.id, query.data.removeprefix("l|"))
    if person is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    await _card(update, context, worker, person)
