"""Show a reply that the use case has already committed. From here on everything is best
effort: a failed send or tidy-up is logged (never its content) and never reported to the
worker as a lost answer, because nothing was lost."""

from __future__ import annotations

import contextlib
import logging

from telegram import Bot, CallbackQuery, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.service.deps import Deps, Turn
from bot.service.replies import Notice, Reply, Tidy
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
    elif reply.toast and not reply.screens:
        reply = Reply(screens=(Notice(reply.toast),))
    sent: list[int] = []
    try:
        sent = await send_html(bot, turn.chat_id, messages(reply), markup(reply))
    except TelegramError as exc:
        log.warning("could not show a reply: %s", type(exc).__name__)
    if reply.remember:
        mine = [turn.message_id] if turn.message_id else []
        await _remember(turn, reply.remember, [*mine, *sent])
    if reply.tidy is not None:
        await _remember(turn, reply.tidy.draft_id, list(reply.tidy.message_ids))
        await tidy(bot, turn.deps, turn.chat_id, reply.tidy)


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
