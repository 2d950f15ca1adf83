"""Correcting a saved note: it stays locked; an addendum (dated, by whom, why) goes under it.

Two typed steps after the button: the reason, then the addendum itself, each committed as
soon as it arrives."""

from __future__ import annotations

from bot.exports.document import local_text, session_heading
from bot.service import access
from bot.service.deps import Turn
from bot.service.options import NAV_LABELS, WORDS
from bot.service.replies import EXPIRED, MENU, Notice, Reply
from conversations.fields import strip_invisible

REASONS = ("Correction", "More information", "Late entry")
CANCEL = "Cancel"
REASON_OPTIONS = ((REASONS[0], REASONS[1]), (REASONS[2], CANCEL))
MAX_REASON = 200
MAX_TEXT = 3500
#: A note's navigation and the menu mean the worker thinks they are elsewhere: never stored.
NOT_AN_ANSWER = frozenset(
    {w for w in WORDS if w != "cancel"}
    | {label.casefold() for key, label in NAV_LABELS.items() if key != "nav:cancel"}
    | {label.casefold() for row in MENU for label in row}
)


async def begin(turn: Turn, note_id: str) -> Reply:
    """'Add an addendum' on a full note: ask why. Only the note's owner writes to it; anyone
    else who may read it gets the same answer as for an unknown note."""
    found = await access.note(turn, note_id)
    if (
        found is None
        or not access.owns(turn, found)
        or not await turn.storage.addenda.begin(turn.worker.id, note_id, turn.now)
    ):
        return Reply(toast=EXPIRED)
    if turn.worker.role == "supervisor":  # one typed flow at a time: not a review comment too
        await turn.storage.reviews.drop_pending(turn.worker.id)
    when = session_heading(found, turn.worker.timezone)
    text = (
        f"Addendum to: {when}.\nThe note itself stays exactly as saved; your addendum is "
        "dated, signed and shown under it.\n\nWhy are you adding it? Tap a reason or type one."
    )
    # A card: with tidy-up on, the addendum's steps leave the chat like a note's answers.
    return Reply(
        screens=(Notice(text, "Add an addendum"),),
        options=REASON_OPTIONS,
        placeholder="The reason",
        card=True,
    )


def writing(turn: Turn) -> bool:
    """Whether the worker's next typed message belongs to an addendum.

    No time limit: one begun and left stays until Cancel, a new or resumed note, or its
    text, so words typed after a long pause are still kept (the keyboard shows Cancel)."""
    return turn.worker.addendum_since is not None


async def on_text(turn: Turn, text: str) -> Reply:
    """The reason, then the addendum: each kept as soon as it arrives."""
    pending = await turn.storage.addenda.pending(turn.worker.id)
    if pending is None:
        return Reply(
            screens=(Notice("That addendum was already saved or cancelled."),), options=MENU
        )
    typed = text.strip()
    if typed.casefold() in (CANCEL.casefold(), NAV_LABELS["nav:cancel"].casefold()):
        return await cancel(turn)
    step = ("reason", REASON_OPTIONS) if pending.reason is None else ("addendum", ((CANCEL,),))
    if typed.casefold() in NOT_AN_ANSWER:
        return _again(
            f"You are adding an addendum to a saved note, so that was not kept. Type the "
            f"{step[0]}, or tap Cancel to stop.",
            step[1],
            f"The {step[0]}",
        )
    if not strip_invisible(typed).strip():
        typed = ""
    if pending.reason is None:
        if not typed:
            return _again("Please tap a reason or type one.", REASON_OPTIONS, "The reason")
        if len(typed) > MAX_REASON:
            return _again(
                f"That reason is {len(typed)} characters; please keep it under {MAX_REASON}.",
                REASON_OPTIONS,
                "The reason",
            )
        await turn.storage.addenda.give_reason(turn.worker.id, typed)
        return Reply(
            screens=(Notice(f"Reason: {typed}\nNow type the addendum."),),
            options=((CANCEL,),),
            placeholder="The addendum",
            card=True,
        )
    if not typed:
        return _again("Please type the addendum.", ((CANCEL,),), "The addendum")
    if len(typed) > MAX_TEXT:
        return _again(
            f"That is {len(typed)} characters; an addendum can hold {MAX_TEXT}. Please shorten "
            "it or split it into two addenda.",
            ((CANCEL,),),
            "The addendum",
        )
    try:
        saved = await turn.storage.addenda.add(
            turn.worker.id, pending.note_id, pending.reason, typed, turn.now
        )
    except PermissionError:  # the note is no longer this worker's: do not keep asking
        await turn.storage.addenda.drop_pending(turn.worker.id)
        return Reply(toast=EXPIRED, options=MENU)
    dated = local_text(saved.created_at, turn.worker.timezone)
    done = f"✅ Addendum saved under the note, dated {dated}."
    # An addendum answers any revision asked of this note; the supervisor is told.
    if await turn.storage.reviews.answer(pending.note_id, turn.worker.id, saved.id, turn.now):
        done += " It answers the revision your supervisor asked for; they are told."
    return await _after(turn, done)


async def step_aside(turn: Turn) -> None:
    """A note started or resumed: an addendum begun must not take its answers."""
    if writing(turn):
        await turn.storage.addenda.drop_pending(turn.worker.id)


async def cancel(turn: Turn) -> Reply:
    """Stop writing the addendum; nothing was added to the note."""
    await turn.storage.addenda.drop_pending(turn.worker.id)
    return await _after(turn, "Addendum cancelled; the note is unchanged.")


async def _after(turn: Turn, text: str) -> Reply:
    """Back to where the worker was: the menu, or the unfinished note's question again."""
    from dataclasses import replace

    from bot.service.capture import resume

    if await turn.storage.drafts.get(turn.worker.id) is not None:
        # The draft's own tidy-up takes these messages (and the worker's last one) with it.
        back = await resume(turn)
        return replace(back, screens=(Notice(text), *back.screens))
    return Reply(screens=(Notice(text),), options=MENU, card=True)


def _again(text: str, options: tuple[tuple[str, ...], ...], placeholder: str) -> Reply:
    return Reply(screens=(Notice(text),), options=options, placeholder=placeholder, card=True)
