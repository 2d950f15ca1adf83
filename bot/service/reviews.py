"""Reviews: a supervisor marks a team member's note "reviewed" or "needs revision" (with a
comment typed next); the worker answers a revision with an addendum.

Only a supervisor who may read the note (access.py), and who is not its worker, reviews it.
Each review tells the other side through a reminder row (no names, no content), so a failed
send is retried by the sweep."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.exports.document import local_text, session_heading
from bot.service import access, addenda, capture, records
from bot.service.deps import Turn
from bot.service.lookup import CLOSE, pager
from bot.service.people import shorten
from bot.service.replies import EXPIRED, MENU, Button, Notice, Reply, notice
from bot.service.team import FOR_SUPERVISORS, is_supervisor, members, names, state, when
from conversations.fields import strip_invisible
from storage.records import NoteRecord
from storage.repositories.reviews import ReviewRecord

CANCEL = "Cancel"
MAX_COMMENT = 1000
LOOK_BACK = timedelta(days=30)
PAGE = 8
SHOWN = 10


async def _reviewable(turn: Turn, note_id: str) -> NoteRecord | None:
    """The note, if this worker may review it: a supervisor who may read it, not its own."""
    if not is_supervisor(turn.worker):
        return None
    found = await access.note(turn, note_id)
    if found is None or access.owns(turn, found):
        return None
    return found


async def screen(turn: Turn, note_id: str) -> Reply:
    """The whole note, read-only, with its review state and the two review buttons."""
    if await _reviewable(turn, note_id) is None:
        return Reply(toast=EXPIRED)
    shown = await records.full_note(turn, note_id)
    if shown.toast:
        return shown
    latest = await turn.storage.reviews.latest(note_id)
    buttons = (
        (
            Button("✓ Reviewed", f"rv|ok|{note_id}"),
            Button("✎ Needs revision", f"rv|fix|{note_id}"),
        ),
        (CLOSE,),
    )
    return replace(shown, screens=(*shown.screens, Notice(_status(turn, latest))), buttons=buttons)


def _status(turn: Turn, latest: ReviewRecord | None) -> str:
    if latest is None:
        return "Review: not reviewed yet."
    at = local_text(latest.created_at, turn.worker.timezone)
    if latest.status == "reviewed":
        return f"Review: marked reviewed on {at}."
    if latest.answered_at is None:
        return f"Review: revision asked on {at}, not answered yet.\nComment: {latest.comment}"
    answered = local_text(latest.answered_at, turn.worker.timezone)
    return f"Review: revision asked on {at}, answered with an addendum on {answered}."


async def mark_reviewed(turn: Turn, note_id: str) -> Reply:
    """✓ Reviewed: record it and tell the worker (no names on their lock screen)."""
    if await _reviewable(turn, note_id) is None:
        return Reply(toast=EXPIRED)
    await turn.storage.reviews.add(note_id, turn.worker.id, "reviewed", turn.now)
    return Reply(
        toast="Marked reviewed.",
        screens=(Notice("✓ Marked reviewed. The worker is told. More in /reviews."),),
    )


async def ask_revision(turn: Turn, note_id: str) -> Reply:
    """✎ Needs revision: the supervisor's next typed message is the comment."""
    if await _reviewable(turn, note_id) is None:
        return Reply(toast=EXPIRED)
    await turn.storage.addenda.drop_pending(turn.worker.id)  # one typed flow at a time
    await turn.storage.reviews.begin_comment(turn.worker.id, note_id, turn.now)
    text = (
        "What should be revised? Type your comment for the worker: they see it in /reviews "
        "and answer with an addendum. /cancel to stop."
    )
    return Reply(
        screens=(Notice(text, "Needs revision"),),
        options=((CANCEL,),),
        placeholder="Your comment",
    )


async def writing(turn: Turn) -> bool:
    """Whether the supervisor's next typed message is a revision comment."""
    if turn.worker.role != "supervisor":
        return False
    return await turn.storage.reviews.pending(turn.worker.id) is not None


async def on_comment(turn: Turn, text: str) -> Reply:
    """The comment: sealed, the review recorded and the worker told, in one go."""
    note_id = await turn.storage.reviews.pending(turn.worker.id)
    if note_id is None:
        return notice("That comment was already sent or cancelled.", options=MENU)
    typed = text.strip()
    if typed.casefold() in (CANCEL.casefold(), "/cancel"):
        return await cancel(turn)
    if typed.casefold() in addenda.NOT_AN_ANSWER or not strip_invisible(typed).strip():
        return _again("Please type your comment for the worker, or tap Cancel.")
    if len(typed) > MAX_COMMENT:
        return _again(
            f"That comment is {len(typed)} characters; please keep it under {MAX_COMMENT}."
        )
    if await _reviewable(turn, note_id) is None:  # moved out of the team since the tap
        await turn.storage.reviews.drop_pending(turn.worker.id)
        return Reply(toast=EXPIRED, options=MENU)
    done = await turn.storage.reviews.add(
        note_id, turn.worker.id, "needs_revision", turn.now, typed, from_pending=True
    )
    if done is None:
        return notice("That comment was already sent.", options=MENU)
    return await _done(
        turn, "✎ Revision asked. The worker is told and sees your comment in /reviews."
    )


async def cancel(turn: Turn) -> Reply:
    """/cancel while typing a comment: nothing is sent."""
    await turn.storage.reviews.drop_pending(turn.worker.id)
    return await _done(turn, "Cancelled: no revision was asked.")


async def step_aside(turn: Turn) -> None:
    """A note started or resumed: its answers must not become a comment."""
    if turn.worker.role == "supervisor":
        await turn.storage.reviews.drop_pending(turn.worker.id)


async def _done(turn: Turn, text: str) -> Reply:
    """Back to where the supervisor was: the menu, or their unfinished note's question."""
    if await turn.storage.drafts.get(turn.worker.id) is not None:
        back = await capture.resume(turn)
        return replace(back, screens=(Notice(text), *back.screens))
    return notice(text, options=MENU)


def _again(text: str) -> Reply:
    return Reply(screens=(Notice(text),), options=((CANCEL,),), placeholder="Your comment")


async def listing(turn: Turn) -> list[Reply]:
    """/reviews: for a supervisor, the team's notes awaiting review; for anyone, their own
    notes that need revision, each with the supervisor's comment."""
    out = [await awaiting(turn)] if is_supervisor(turn.worker) else []
    out += await revisions(turn, quiet=bool(out))
    return out


async def awaiting(turn: Turn, page: int = 0, edit: bool = False) -> Reply:
    """The team's notes from the last 30 days not reviewed yet, oldest first, paged."""
    if not is_supervisor(turn.worker):
        return notice(FOR_SUPERVISORS) if not edit else Reply(toast=EXPIRED)
    people = {w.id: w for w in await members(turn)}
    found = await turn.storage.team.awaiting_review(list(people), turn.now - LOOK_BACK, page, PAGE)
    if not found.total:
        return notice(
            "Nothing awaits review: every note of your team from the last 30 days "
            "has been reviewed.",
            edit=edit,
        )
    tz = turn.worker.timezone
    named = await names(turn, found.items)
    lines, rows = [], []
    for h in found.items:
        who = shorten(people[h.worker_id].display_name or f"worker {h.worker_id}", 16)
        person = named.get(h.participant_id or "", "no participant")
        late = " · late" if h.late else ""
        lines.append(f"• {when(h, tz)} · {who} · {person}{late} · {state(h)}")
        rows.append((Button(f"📄 {when(h, tz)} · {who} · {person}", f"rv|{h.id}"),))
    head = f"Awaiting review ({found.total})"
    if found.pages > 1:
        head += f", page {found.page + 1} of {found.pages}"
    nav = pager(found, "rq|{}", "◀ Earlier", "Later ▶")
    buttons = (*rows, *((nav,) if nav else ()), (CLOSE,))
    return Reply(screens=(Notice("\n".join(lines), head),), buttons=buttons, card=True, edit=edit)


async def revisions(turn: Turn, quiet: bool = False) -> list[Reply]:
    """The worker's notes that need revision: one message each, with the comment and
    [Answer with an addendum]. ``quiet``: say nothing when there are none."""
    open_ = await turn.storage.reviews.open_revisions(turn.worker.id, SHOWN)
    out: list[Reply] = []
    for r in open_:
        found = await access.note_with_person(turn, r.note_id)
        if found is None or not access.owns(turn, found[0]):
            continue
        note, person = found
        reviewer = await turn.storage.workers.get(r.reviewer_id)
        by = reviewer.display_name if reviewer and reviewer.display_name else "Your supervisor"
        about = shorten(person.name, 30) if person else "no participant recorded"
        text = (
            f"{session_heading(note, turn.worker.timezone)} · {about}\n"
            f"Asked {local_text(r.created_at, turn.worker.timezone)} by {by}:\n{r.comment or ''}"
        )
        buttons = (
            (Button("✏️ Answer with an addendum", f"ra|{note.id}"),),
            (Button("📄 Open the note", f"n|{note.id}"), CLOSE),
        )
        out.append(Reply(screens=(Notice(text, "Needs revision"),), buttons=buttons, card=True))
    if not out and not quiet:
        out.append(notice("No notes of yours need revision."))
    return out


async def answer(turn: Turn, note_id: str) -> Reply:
    """[Answer with an addendum]: the ordinary addendum flow, on the worker's own note."""
    found = await access.note(turn, note_id)
    if found is None or not access.owns(turn, found):
        return Reply(toast=EXPIRED)
    return await addenda.begin(turn, note_id)
