"""Drive the engine for one worker: commit the draft, then show the next prompt.

The order is the crash-safety rule: every answer is committed (encrypted) before the next
question is sent, so a restart, or another instance on the same database, loses nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup

from bot.deps import Deps
from bot.keyboards import prompt_keyboard, review_keyboard, simple_keyboard
from bot.messaging import delete_all, drop_keyboard, send_blocks
from bot.rendering import esc, prompt_html, review_blocks, saved_card, split_html
from conversations import engine
from conversations.engine import Clock, Ctx, Input, Outcome
from conversations.template import Choice, Template, get_template
from storage.records import DraftRecord, NewAction, NewNote, NewParticipant, WorkerRecord

#: A draft untouched this long is 'paused': the next message offers to resume it rather
#: than being taken as an answer to a question the worker may have forgotten.
PAUSE_AFTER = timedelta(hours=2)
TIDY_WINDOW = timedelta(hours=47)


async def engine_ctx(d: Deps, worker: WorkerRecord) -> Ctx:
    """The worker's clock and recent participants, as the engine sees them."""
    recent = await d.storage.participants.recent(worker.id, 6)
    clock = Clock(d.now(), worker.timezone, worker.date_order)
    return Ctx(clock, tuple(Choice(f"p:{p.id}", p.name) for p in recent))


def template_of(draft: DraftRecord) -> Template:
    return get_template(draft.state["engine"]["template"])


def is_paused(d: Deps, draft: DraftRecord) -> bool:
    return bool(draft.state.get("paused")) or d.now() - draft.updated_at > PAUSE_AFTER


async def pause(d: Deps, draft: DraftRecord | None) -> None:
    """Mark the draft so the next free text asks before being taken as an answer."""
    if draft is not None and not draft.state.get("paused"):
        await d.storage.drafts.update(draft.id, state={**draft.state, "paused": True}, now=d.now())


async def start_note(
    bot: Bot, d: Deps, worker: WorkerRecord, chat_id: int, user_message_id: int | None = None
) -> None:
    """Open a fresh draft (replacing none: callers ask first) and ask the first question."""
    template = get_template(d.template_id)
    out = engine.start(template, await engine_ctx(d, worker))
    draft = await d.storage.drafts.start(worker.id, {"engine": out.draft, "seq": 1}, now=d.now())
    await show(bot, d, chat_id, draft, out, user_message_id)


async def show(
    bot: Bot,
    d: Deps,
    chat_id: int,
    draft: DraftRecord,
    out: Outcome,
    user_message_id: int | None = None,
    warning: str | None = None,
) -> None:
    """Send the prompt or review for ``out`` and remember the messages for tidy-up."""
    seq = int(draft.state["seq"])
    await drop_keyboard(bot, chat_id, draft.prompt_message_id)
    if out.review is not None:
        blocks = review_blocks(out.review)
        keyboard = review_keyboard(out.review, draft.id, seq)
    else:
        assert out.prompt is not None
        blocks = [prompt_html(out.prompt)]
        keyboard = prompt_keyboard(out.prompt, draft.id, seq)
    if warning:
        blocks.insert(0, f"⚠️ {esc(warning)}")
    await _send_and_remember(bot, d, chat_id, draft, split_html(blocks), keyboard, user_message_id)


async def _send_and_remember(
    bot: Bot,
    d: Deps,
    chat_id: int,
    draft: DraftRecord,
    pieces: list[str],
    keyboard: InlineKeyboardMarkup,
    user_message_id: int | None,
) -> None:
    """Send the draft's new prompt and record it (and the worker's message) for tidy-up."""
    sent = await send_blocks(bot, chat_id, pieces, keyboard)
    mine = (user_message_id,) if user_message_id else ()
    await d.storage.drafts.update(
        draft.id, add_messages=(*mine, *sent), prompt_message_id=sent[-1]
    )


async def resume_note(
    bot: Bot,
    d: Deps,
    worker: WorkerRecord,
    chat_id: int,
    draft: DraftRecord,
    user_message_id: int | None = None,
) -> None:
    """Show the current question again and take free text as answers from now on."""
    out = engine.resume(template_of(draft), draft.state["engine"], await engine_ctx(d, worker))
    updated = await _commit_step(d, draft, out)
    if updated is not None:
        await show(bot, d, chat_id, updated, out, user_message_id)


async def handle_input(
    bot: Bot,
    d: Deps,
    worker: WorkerRecord,
    chat_id: int,
    draft: DraftRecord,
    inp: Input,
    user_message_id: int | None = None,
) -> str | None:
    """Apply one answer. Returns a short toast for a button press whose input was refused."""
    template = template_of(draft)
    out = engine.answer(template, draft.state["engine"], inp, await engine_ctx(d, worker))
    if out.kind == "cancelled":
        await confirm_discard(bot, d, chat_id, draft, user_message_id)
        return None
    if out.kind == "invalid":
        if inp.token is not None:
            return out.reason
        await show(bot, d, chat_id, draft, out, user_message_id, warning=out.reason)
        return None
    if out.kind == "completed":
        assert out.note is not None
        await save_note(bot, d, worker, chat_id, draft, out, user_message_id)
        return None
    updated = await _commit_step(d, draft, out)
    if updated is None:
        return "That note is no longer open."
    if inp.token and out.prompt and out.prompt.multi and out.prompt.key == _key(draft):
        await _retick(bot, chat_id, updated, out)
        return None
    await show(bot, d, chat_id, updated, out, user_message_id)
    return None


async def _commit_step(d: Deps, draft: DraftRecord, out: Outcome) -> DraftRecord | None:
    """Store the engine's new draft under the next step number (staling older buttons)."""
    state = {
        **draft.state,
        "engine": out.draft,
        "seq": int(draft.state["seq"]) + 1,
        "paused": False,
    }
    return await d.storage.drafts.update(draft.id, state=state, now=d.now())


def _key(draft: DraftRecord) -> str | None:
    cursor = draft.state["engine"].get("cursor") or {}
    return cursor.get("field")


async def _retick(bot: Bot, chat_id: int, draft: DraftRecord, out: Outcome) -> None:
    """Update the ticks on a multi-choice keyboard in place instead of sending a new message."""
    assert out.prompt is not None and draft.prompt_message_id is not None
    keyboard = prompt_keyboard(out.prompt, draft.id, int(draft.state["seq"]))
    await bot.edit_message_reply_markup(chat_id, draft.prompt_message_id, reply_markup=keyboard)


async def confirm_discard(
    bot: Bot, d: Deps, chat_id: int, draft: DraftRecord, user_message_id: int | None = None
) -> None:
    """Ask before throwing a draft away."""
    await drop_keyboard(bot, chat_id, draft.prompt_message_id)
    tag = draft.id[:8]
    keyboard = simple_keyboard(
        [("Yes, discard it", f"d|discard|{tag}"), ("No, keep going", f"d|resume|{tag}")]
    )
    question = ["Discard this note? Everything entered so far will be deleted."]
    await _send_and_remember(bot, d, chat_id, draft, question, keyboard, user_message_id)


async def discard(bot: Bot, d: Deps, worker: WorkerRecord, chat_id: int) -> None:
    """Delete the draft and, with tidy-up on, the messages it produced."""
    gone = await d.storage.drafts.discard(worker.id)
    if gone is not None:
        await _tidy(bot, d, worker, chat_id, gone, gone.message_ids)
    await send_blocks(bot, chat_id, ["Note discarded. Send /new to start another."])


async def _tidy(
    bot: Bot, d: Deps, worker: WorkerRecord, chat_id: int, draft: DraftRecord, ids: tuple[int, ...]
) -> None:
    """Delete a finished draft's messages (tidy-up on, within Telegram's window), else just
    disable its last keyboard."""
    if worker.tidy_chat and d.now() - draft.created_at < TIDY_WINDOW:
        await delete_all(bot, chat_id, ids)
    else:
        await drop_keyboard(bot, chat_id, draft.prompt_message_id)


def _new_note(
    worker: WorkerRecord, draft: DraftRecord, out: Outcome, template: Template
) -> NewNote:
    note = out.note
    assert note is not None
    person: dict[str, Any] = note.participant or {}
    pron_field = next(
        (
            s
            for f in template.fields
            if f.type == "participant"
            for s in f.fields
            if s.key == "pronouns"
        ),
        None,
    )
    pronouns = person.get("pronouns")
    return NewNote(
        worker_id=worker.id,
        template_id=note.template_id,
        template_version=note.template_version,
        content={"answers": note.answers, "consent_declined": note.consent_declined},
        session_start=note.session_start,
        duration_minutes=note.duration_minutes,
        participant_id=person.get("id"),
        new_participant=None
        if person.get("id") or not person
        else NewParticipant(
            name=person.get("name", ""),
            age=person.get("age"),
            pronouns=pron_field.choice_label(pronouns) if pron_field and pronouns else pronouns,
        ),
        actions=tuple(NewAction(a.what, a.who, a.due) for a in note.actions),
        next_session_at=note.next_session_at,
        draft_id=draft.id,
    )


async def save_note(
    bot: Bot,
    d: Deps,
    worker: WorkerRecord,
    chat_id: int,
    draft: DraftRecord,
    out: Outcome,
    user_message_id: int | None,
) -> None:
    """Store the note (dropping the draft in the same transaction), tidy the chat, show a card."""
    template = template_of(draft)
    new = _new_note(worker, draft, out, template)
    saved = await d.storage.notes.save(new, now=d.now())
    name = (out.note.participant or {}).get("name") if out.note else None
    ids = (*draft.message_ids, *((user_message_id,) if user_message_id else ()))
    await _tidy(bot, d, worker, chat_id, draft, ids)
    await send_blocks(
        bot,
        chat_id,
        [saved_card(saved, name, worker.timezone)],
        simple_keyboard([("New note", "m|new")]),
    )
