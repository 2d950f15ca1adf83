"""Show a reply that the use case has already committed. From here on everything is best
effort: a failed send or tidy-up is logged (never its content) and never reported to the
worker as a lost answer, because nothing was lost."""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import timedelta
from io import BytesIO

from telegram import Bot, CallbackQuery, InputFile, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.service.deps import Deps, Turn
from bot.service.replies import Attachment, Notice, Reply, Tidy
from bot.telegram.render import markup, messages

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_html(
    bot: Bot, chat_id: int, pieces: list[str], keyboard: object = None
) -> list[int]:
    """Send messages in order, the keyboard on the last; return their ids."""
    ids = []
    for i, piece in enumerate(pieces):
        msg = await bot.send_message(
            chat_id,
            piece,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if i == len(pieces) - 1 else None,  # type: ignore[arg-type]
            link_preview_options=NO_PREVIEW,
        )
        ids.append(msg.message_id)
    return ids


async def deliver(bot: Bot, turn: Turn, reply: Reply, query: CallbackQuery | None = None) -> None:
    """Toast, send, remember the messages for tidy-up, then tidy: in that order."""
    if query is not None:
        with contextlib.suppress(TelegramError):  # too old, or already answered: harmless
            await query.answer(reply.toast)
    elif reply.toast and not (reply.screens or reply.document or reply.photo):
        reply = Reply(screens=(Notice(reply.toast),))
    sent: list[int] = []
    try:
        sent = await _show(bot, turn, reply, query)
    except TelegramError as exc:
        log.warning("could not show a reply: %s", type(exc).__name__)
    # With tidy-up off only Close deletes a card: one without buttons is not worth a row.
    if reply.card and sent and (turn.worker.tidy_chat or reply.buttons):
        mine = [turn.message_id] if turn.message_id and query is None else []
        await _remember_card(turn, [*mine, *sent])
    if reply.remember:
        mine = [turn.message_id] if turn.message_id else []
        await _remember(turn, reply.remember, [*mine, *sent])
    if reply.tidy is not None:
        await _remember(turn, reply.tidy.draft_id, list(reply.tidy.message_ids))
        await tidy(bot, turn.deps, turn.chat_id, reply.tidy)


async def _show(bot: Bot, turn: Turn, reply: Reply, query: CallbackQuery | None) -> list[int]:
    """Edit the pressed message (paging) or send the texts, then any file; return new ids."""
    pieces = messages(reply)
    keyboard = markup(reply)
    if reply.edit and query is not None and query.message is not None and len(pieces) == 1:
        try:
            await bot.edit_message_text(
                pieces[0],
                turn.chat_id,
                query.message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,  # type: ignore[arg-type]
                link_preview_options=NO_PREVIEW,
            )
            return []
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return []
            # too old to edit, or gone: send it as a new message instead
    files = [a for a in (reply.document, reply.photo) if a is not None]
    ids = await send_html(bot, turn.chat_id, pieces, None if files else keyboard)
    for i, attachment in enumerate(files):
        last = i == len(files) - 1
        ids.append(
            await _send_file(bot, turn.chat_id, attachment, reply, keyboard if last else None)
        )
    return ids


async def _send_file(
    bot: Bot, chat_id: int, attachment: Attachment, reply: Reply, keyboard: object
) -> int:
    """Upload a file straight from memory (never a temporary file on disk)."""
    data = InputFile(BytesIO(attachment.content), filename=attachment.filename)
    send = bot.send_photo if attachment is reply.photo else bot.send_document
    msg = await send(
        chat_id,
        data,
        caption=attachment.caption,
        reply_markup=keyboard,  # type: ignore[arg-type]
    )
    return msg.message_id


async def _remember_card(turn: Turn, ids: list[int]) -> None:
    """Record a card's messages so Close, or the sweep once its time is up, deletes them."""
    worker = turn.worker
    delete_at = turn.now + timedelta(minutes=worker.card_minutes) if worker.tidy_chat else None
    try:
        await turn.storage.cards.remember(
            uuid.uuid4().hex, worker.id, turn.chat_id, ids, delete_at
        )
    except Exception as exc:  # best effort: Close still deletes the message it is on
        log.warning("could not record a card for tidy-up: %s", type(exc).__name__)


async def close_card(bot: Bot, turn: Turn, message_id: int) -> None:
    """Close: delete the card this message belongs to (and the request that asked for it)."""
    batch = await turn.storage.cards.of_message(turn.worker.id, turn.chat_id, message_id)
    ids = sorted({message_id, *(batch.message_ids if batch else ())})
    await delete_batch(bot, turn.chat_id, ids)
    if batch is not None:
        await turn.storage.cards.forget(batch.card_id)


async def sweep_cards(bot: Bot, deps: Deps) -> int:
    """Delete cards whose time is up; a failure leaves them for the next sweep."""
    done = 0
    for batch in await deps.storage.cards.due(deps.now()):
        try:
            await delete_batch(bot, batch.chat_id, list(batch.message_ids))
        except TelegramError as exc:
            log.warning("card tidy-up postponed: %s", type(exc).__name__)
            continue
        await deps.storage.cards.forget(batch.card_id)
        done += 1
    return done


async def _remember(turn: Turn, draft_id: str, ids: list[int]) -> None:
    if not ids:
        return
    try:
        await turn.storage.drafts.remember_messages(
            draft_id, turn.worker.id, turn.chat_id, ids, turn.now
        )
    except Exception as exc:  # best effort: the answer itself is already stored
        log.warning("could not record messages for tidy-up: %s", type(exc).__name__)


async def tidy(bot: Bot, deps: Deps, chat_id: int, job: Tidy) -> bool:
    """Delete a finished draft's messages; False (kept for a later retry) if Telegram failed."""
    drafts = deps.storage.drafts
    try:
        if job.delete:
            ids = await drafts.messages(job.draft_id)
            for i in range(0, len(ids), 100):
                await delete_batch(bot, chat_id, ids[i : i + 100])
        await drafts.forget_messages(job.draft_id)
        return True
    except Exception as exc:
        log.warning("tidy-up postponed: %s", type(exc).__name__)
        return False


async def delete_batch(bot: Bot, chat_id: int, ids: list[int]) -> None:
    """Delete up to 100 messages; ones too old or already gone count as done."""
    try:
        await bot.delete_messages(chat_id, ids)
    except (BadRequest, Forbidden):
        log.info("some messages could not be deleted (too old, gone, or bot blocked)")


async def retry_tidy(bot: Bot, deps: Deps) -> int:
    """Retry tidy-ups that failed earlier; return how many drafts were finished."""
    from bot.service.policy import TIDY_WINDOW

    done = 0
    for batch in await deps.storage.drafts.tidy_backlog(deps.now(), TIDY_WINDOW):
        if await tidy(bot, deps, batch.chat_id, Tidy(batch.draft_id)):
            done += 1
    return done
