"""Taking a note: /new, /resume, /cancel, typed answers, note buttons and stray media."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import note_flow
from bot.access import EXPIRED, chat_of, workers_only
from bot.deps import deps
from bot.keyboards import parse_note_data, simple_keyboard
from bot.messaging import send_blocks
from bot.rendering import esc
from conversations.engine import Input
from storage.records import DraftRecord, WorkerRecord

MEDIA = (
    "Please type your answer or tap an option. Photos, stickers, voice notes, files and "
    "locations can't go into a note."
)


async def _offer_resume(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: DraftRecord, question: str
) -> None:
    tag = draft.id[:8]
    keyboard = simple_keyboard(
        [("Resume it", f"d|resume|{tag}"), ("Discard, start new", f"d|restart|{tag}")]
    )
    chat_id = chat_of(update)
    await send_blocks(context.bot, chat_id, [question], keyboard)


def _message_id(update: Update) -> int | None:
    """The worker's own message (kept for tidy-up), if the update is a message."""
    return update.message.message_id if update.message else None


@workers_only
async def new_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Start a note, asking first if one is already open."""
    d = deps(context)
    draft = await d.storage.drafts.get(worker.id)
    chat_id = chat_of(update)
    if draft is not None:
        await note_flow.pause(d, draft)
        await _offer_resume(
            update,
            context,
            draft,
            "You have an unfinished note. Resume it, or discard it and start a new one?",
        )
        return
    msg_id = _message_id(update)
    await note_flow.start_note(context.bot, d, worker, chat_id, msg_id)


@workers_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord) -> None:
    """Show the open note's current question again."""
    d = deps(context)
    draft = await d.storage.drafts.get(worker.id)
    chat_id = chat_of(update)
    if draft is None:
        await send_blocks(
            context.bot, chat_id, ["There is no unfinished note. Send /new to start one."]
        )
        return
    await note_flow.resume_note(context.bot, d, worker, chat_id, draft, _message_id(update))


@workers_only
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord) -> None:
    """Ask before discarding the open note."""
    d = deps(context)
    draft = await d.storage.drafts.get(worker.id)
    chat_id = chat_of(update)
    if draft is None:
        await send_blocks(context.bot, chat_id, ["There is no note in progress."])
        return
    await note_flow.confirm_discard(context.bot, d, chat_id, draft, _message_id(update))


@workers_only
async def text_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Take typed text as the answer to the current question (or offer to resume/start)."""
    d = deps(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = await d.storage.drafts.get(worker.id)
    if draft is None:
        keyboard = simple_keyboard([("New note", "m|new"), ("Last session", "m|last")])
        await send_blocks(context.bot, message.chat_id, ["No note is open. Start one?"], keyboard)
        return
    if note_flow.is_paused(d, draft):
        await d.storage.drafts.update(draft.id, add_messages=(message.message_id,))
        await _offer_resume(
            update, context, draft, "You have an unfinished note. Resume it where you left off?"
        )
        return
    await note_flow.handle_input(
        context.bot,
        d,
        worker,
        message.chat_id,
        draft,
        Input(text=message.text),
        message.message_id,
    )


@workers_only
async def note_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """A button on a note question: only the latest keyboard of the open draft counts."""
    query = update.callback_query
    assert query is not None and query.data is not None
    d = deps(context)
    button = parse_note_data(query.data)
    draft = await d.storage.drafts.get(worker.id)
    if (
        button is None
        or draft is None
        or draft.id[:8] != button.draft_tag
        or button.seq != int(draft.state["seq"])
    ):
        await query.answer(EXPIRED)
        return
    chat_id = chat_of(update)
    toast = await note_flow.handle_input(
        context.bot, d, worker, chat_id, draft, Input(token=button.token)
    )
    await query.answer(toast)


@workers_only
async def draft_decision(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Resume, discard, or discard-and-restart an open draft (buttons d|...)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    d = deps(context)
    _, action, tag = [*query.data.split("|"), "", ""][:3]
    draft = await d.storage.drafts.get(worker.id)
    if draft is None or draft.id[:8] != tag or action not in ("resume", "discard", "restart"):
        await query.answer(EXPIRED)
        return
    await query.answer()
    chat_id = chat_of(update)
    if query.message:
        recorded = await d.storage.drafts.update(
            draft.id, add_messages=(query.message.message_id,)
        )
        draft = recorded or draft
        await context.bot.edit_message_reply_markup(
            chat_id, query.message.message_id, reply_markup=None
        )
    if action == "resume":
        await note_flow.resume_note(context.bot, d, worker, chat_id, draft)
        return
    await note_flow.discard(context.bot, d, worker, chat_id)
    if action == "restart":
        await note_flow.start_note(context.bot, d, worker, chat_id)


@workers_only
async def menu_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """'New note' on the saved card or the idle hint."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if query.data == "m|last":
        from bot.handlers.lookup import show_recent

        await show_recent(update, context, worker)
        return
    d = deps(context)
    draft = await d.storage.drafts.get(worker.id)
    if draft is not None:
        await _offer_resume(
            update,
            context,
            draft,
            "You have an unfinished note. Resume it, or discard it and start a new one?",
        )
        return
    await note_flow.start_note(context.bot, d, worker, chat_of(update))


@workers_only
async def media(update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord) -> None:
    """Photos, stickers, voice, files or locations: a friendly line, and the note is unchanged."""
    d = deps(context)
    message = update.effective_message
    assert message is not None
    draft = await d.storage.drafts.get(worker.id)
    sent = await send_blocks(context.bot, message.chat_id, [MEDIA])
    if draft is not None:
        await d.storage.drafts.update(draft.id, add_messages=(message.message_id, *sent))


NAV_COMMANDS = {"back": "nav:back", "skip": "nav:skip", "done": "nav:done"}


@workers_only
async def nav_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """/back, /skip and /done: the navigation buttons, typed."""
    d = deps(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    draft = await d.storage.drafts.get(worker.id)
    if draft is None:
        await send_blocks(
            context.bot, message.chat_id, ["No note is open. Send /new to start one."]
        )
        return
    token = NAV_COMMANDS[command]
    toast = await note_flow.handle_input(
        context.bot, d, worker, message.chat_id, draft, Input(token=token), message.message_id
    )
    if toast:
        await send_blocks(context.bot, message.chat_id, [esc(toast)])
