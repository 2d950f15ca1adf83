"""Taking a note: start, answer, resume, cancel, discard, save.

Every change is committed before a Reply is returned, so whatever happens while the front
end shows it (a 429, a crash, a lost connection), nothing the worker typed is lost.
"""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from bot.service import options, policy, templates
from bot.service.deps import Turn
from bot.service.drafts import OpenDraft, draft_state
from bot.service.replies import (
    EXPIRED,
    LAST_SESSION,
    MENU,
    NEW_NOTE,
    Button,
    Notice,
    Question,
    Reply,
    Review,
    SavedCard,
    Screen,
    Tidy,
    notice,
)
from bot.service.saving import to_new_note
from conversations import engine
from conversations.draft import NoteDraft
from conversations.engine import Clock, Ctx, Input
from conversations.outcome import Asked, CancelAsked, Finished, Outcome, Refused, Reviewing
from conversations.template import Choice, Template, template_for
from storage.records import DraftRecord, ParticipantRecord
from storage.repositories import DraftConflict

log = logging.getLogger(__name__)

NO_NOTE = "No note is open. Tap New note to start one."
GONE = (
    "That note was saved or discarded in the meantime, so your last message wasn't used. "
    "Tap New note to start another."
)
DOUBLE_TAP_SECONDS = 1.0
#: Navigation words typed where that option isn't on screen (the engine explains the rest).
NOT_HERE = {
    "nav:save": "Saving comes at the review: answer this question, or tap 💾 Finish when it "
    "is offered. Nothing changed.",
    "nav:keep": "There's no earlier answer here to keep. Nothing changed.",
    "nav:done": "Done isn't an option on this question: type your answer or tap an option. "
    "Nothing changed.",
}
STALE_TAP = "That tap was for the previous question, so I didn't use it. Nothing changed."
#: Screens asking two things at once: their own hint beats the first field's examples.
COMBINED = ("age_pronouns", "multichoice_text", "pronouns")
PLACEHOLDERS = {
    "date": "e.g. today, yesterday, 21/11",
    "time": "e.g. 3pm or 15:30",
    "duration": "e.g. 45m or 1h30",
    "integer": "A number",
    "rating": "A number",
    "longtext": "Type, then tap Done",
    "participant": "A name or code",
    "group": "Type one, or tap Done",
    "choice": "Tap an option (or type it)",
    "yesno": "Tap an option (or type it)",
    "multichoice": "Tap all that apply, then Done",
    "multichoice_text": "Tap tags, or type the concerns",
    "age_pronouns": "e.g. 34, they/them",
    "pronouns": "e.g. she/they, xe/xem",
}


def _seen(p: ParticipantRecord, tz: str) -> str:
    if p.last_session_at is None:
        return p.name
    local = p.last_session_at.astimezone(ZoneInfo(tz))
    return f"{p.name} · last seen {local:%a} {local.day} {local:%b}"


def _clock(turn: Turn) -> Clock:
    """The worker's clock: now, in their timezone and date order."""
    return Clock(turn.now, turn.worker.timezone, turn.worker.date_order)


async def _ctx(turn: Turn, template: Template, note: NoteDraft, typed: str | None) -> Ctx:
    """The clock, plus participants only when the question at the cursor needs them."""
    worker = turn.worker
    clock = _clock(turn)
    if note.cursor.field == template.roles.get("session_date"):
        # "Just now" offers the worker's usual length whenever the first question shows.
        minutes = await turn.storage.notes.recent_durations(worker.id)
        return Ctx(clock, usual_duration=policy.usual_duration(minutes))
    if not engine.wants_participants(template, note):
        return Ctx(clock)
    people = turn.storage.participants
    recent = tuple(Choice(f"p:{p.id}", p.name) for p in await people.recent(worker.id, 6))
    same: tuple[Choice, ...] = ()
    if typed and typed.strip() and not typed.startswith("/"):
        found = await people.find_by_name(worker.id, typed)
        same = tuple(Choice(f"p:{p.id}", _seen(p, worker.timezone)) for p in found)
    return Ctx(clock, recent, same_name=same)


def _present(out: Outcome, warning: str | None = None) -> tuple[Screen, options.Offer, str | None]:
    """The screen for an outcome, the options it offers and a typing hint."""
    if isinstance(out, Refused):
        warning, view = out.reason, out.screen
    elif isinstance(out, Asked):
        view = out.prompt
    elif isinstance(out, Reviewing):
        view = out.review
    else:  # pragma: no cover - callers handle the other kinds
        raise TypeError(type(out).__name__)
    if isinstance(view, engine.Prompt):
        hint = PLACEHOLDERS.get(view.field_type, "Type your answer")
        if view.examples and view.field_type not in COMBINED:
            hint = f"e.g. {view.examples}"
        return Question(view, warning), options.for_prompt(view), hint
    return Review(view, warning), options.for_review(view), "Tap a section, or Save note"


def _show(draft_id: str, out: Outcome, warning: str | None = None) -> Reply:
    screen, offer, hint = _present(out, warning)
    return Reply(screens=(screen,), options=offer.rows, placeholder=hint, remember=draft_id)


async def _commit(
    turn: Turn,
    od: OpenDraft,
    note: NoteDraft,
    shown: dict[str, str],
    pending: tuple[str, ...] = (),
) -> OpenDraft | None:
    """Store the draft under the next step number; None if it moved on meanwhile."""
    labels = tuple(label for label in od.shown if not options.is_word(label))
    before = labels if shown != od.shown else od.before
    state = draft_state(note, shown, before, pending, turn.sent_at or od.answered_at)
    rec = await turn.storage.drafts.advance(od.id, turn.worker.id, od.seq, state, turn.now)
    return OpenDraft.of(rec) if rec is not None else None


async def start_note(turn: Turn) -> Reply:
    """Open a fresh draft and ask the first question (or offer the open one first)."""
    existing = await turn.storage.drafts.get(turn.worker.id)
    if existing is not None:
        od = OpenDraft.of(existing)
        return _offer(
            od,
            f"You have an unfinished note: {_describe(turn, od)}. Resume it, or discard it "
            "and start a new one?",
        )
    template = templates.for_new_note(turn.deps, turn.worker)
    clock = _clock(turn)
    usual = policy.usual_duration(await turn.storage.notes.recent_durations(turn.worker.id))
    out = engine.start(template, Ctx(clock, usual_duration=usual))
    assert isinstance(out, Asked | Reviewing)
    _, offer, _ = _present(out)
    state = draft_state(out.draft, offer.tokens, (NEW_NOTE, LAST_SESSION), (), turn.sent_at)
    try:
        rec = await turn.storage.drafts.start(turn.worker.id, state, turn.now)
    except DraftConflict:
        return await start_note(turn)
    return _show(rec.id, out)


def _started(od: OpenDraft, turn: Turn) -> str:
    local = od.record.created_at.astimezone(ZoneInfo(turn.worker.timezone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _offer(od: OpenDraft, question: str) -> Reply:
    buttons = (
        Button("Resume it", f"d|resume|{od.tag}|{od.seq}"),
        Button("Discard, start new", f"d|restart|{od.tag}|{od.seq}"),
    )
    return Reply(screens=(Notice(question),), buttons=(buttons,), remember=od.id)


async def on_text(turn: Turn, text: str) -> Reply:
    """Typed text (or a tapped option): an answer, a menu choice, or kept for later."""
    rec = await turn.storage.drafts.get(turn.worker.id)
    if rec is None:
        return await _idle_text(turn, text)
    od = OpenDraft.of(rec)
    if od.pending or policy.is_paused(rec.updated_at, turn.now):
        kept = await _commit(turn, od, od.note, od.shown, (*od.pending, text))
        if kept is None:
            return notice(GONE)
        if od.pending:  # the offer is already on screen
            return notice("Kept that too. Tap Resume it to use your messages.", remember=od.id)
        return _offer(
            kept,
            f"You have an unfinished note from {_started(kept, turn)}. I've kept your message "
            f"and will use it to answer “{_question(turn, kept)}”. Carry on?",
        )
    token = options.resolve(od.shown, text)
    if token is None and text.strip() in od.before and _double_tap(turn, od):
        return notice(STALE_TAP, remember=od.id)
    if token is None and text.strip() in (NEW_NOTE, LAST_SESSION):
        return await _idle_text(turn, text)  # the menu, from a keyboard shown elsewhere
    if token in NOT_HERE and token not in od.shown.values():
        return notice(NOT_HERE[token], remember=od.id)
    inp = Input(token=token) if token is not None else Input(text=text)
    return await _apply(turn, od, inp)


def _describe(turn: Turn, od: OpenDraft) -> str:
    """'the session on Fri 20 Nov with A. S., begun Mon 23 Nov, 14:05, at question 5 of 15:
    Where was it?' (each part only when known)."""
    template = template_for(od.note)
    out = engine.show(template, od.note, Ctx(_clock(turn)))
    held = [od.note.buffer.get("item"), *od.note.answers.values()]  # a name being entered too
    person = next((v for v in held if isinstance(v, dict) and v.get("name")), None)
    parts = []
    day = od.note.answers.get(template.roles.get("session_date", ""))
    if isinstance(day, str):
        when = date.fromisoformat(day)
        parts.append(f"the session on {when:%a} {when.day} {when:%b}")
    if person is not None:
        parts.append(f"with {policy.initials(str(person['name']))}")
    parts.append(f"begun {_started(od, turn)}")
    if isinstance(out, Asked):
        parts.append(f"at question {out.prompt.number} of {out.prompt.total}: {out.prompt.text}")
    else:
        parts.append("at the review")
    return " ".join(parts[:-2]) + (", " if parts[:-2] else "") + ", ".join(parts[-2:])


def _question(turn: Turn, od: OpenDraft) -> str:
    """The question the draft is on, in words (for offers that mention it)."""
    out = engine.show(template_for(od.note), od.note, Ctx(_clock(turn)))
    return out.prompt.text if isinstance(out, Asked) else "the review"


def _double_tap(turn: Turn, od: OpenDraft) -> bool:
    """Whether a message came so soon after the last answer that it must be a second tap
    on the old keyboard (nobody types a whole option that fast)."""
    if turn.sent_at is None or od.answered_at is None:
        return False
    return abs((turn.sent_at - od.answered_at).total_seconds()) <= DOUBLE_TAP_SECONDS


async def on_nav(turn: Turn, token: str) -> Reply:
    """/back, /skip, /done and /cancel typed as commands."""
    rec = await turn.storage.drafts.get(turn.worker.id)
    if rec is None:
        return notice(NO_NOTE, options=MENU)
    return await _apply(turn, OpenDraft.of(rec), Input(token=token))


async def _idle_text(turn: Turn, text: str) -> Reply:
    from bot.service import lookup

    label = text.strip()
    if label == NEW_NOTE:
        return await start_note(turn)
    if label == LAST_SESSION:
        return await lookup.recent(turn)
    if label == options.NAV_LABELS["nav:save"]:
        return notice("That note is already saved.", options=MENU)
    return notice(NO_NOTE, options=MENU)


async def _apply(turn: Turn, od: OpenDraft, inp: Input, attempts: int = 3) -> Reply:
    """Run one input through the engine, commit, and say what comes next."""
    template = template_for(od.note)
    ctx = await _ctx(turn, template, od.note, inp.text if inp.token is None else None)
    out = engine.answer(template, od.note, inp, ctx)
    if isinstance(out, CancelAsked):
        return confirm_discard(od)
    if isinstance(out, Refused):
        return _show(od.id, out)
    if isinstance(out, Finished):
        return await _save(turn, od, out, template)
    if engine.wants_participants(template, out.draft) and not ctx.participants:
        out = engine.show(template, out.draft, await _ctx(turn, template, out.draft, None))
    _, offer, _ = _present(out)
    new = await _commit(turn, od, out.draft, offer.tokens)
    if new is None:
        fresh = await turn.storage.drafts.get(turn.worker.id)
        if fresh is None or fresh.id != od.id:
            return notice(GONE)
        if attempts > 1:
            return await _apply(turn, OpenDraft.of(fresh), inp, attempts - 1)
        return notice("That note changed at the same moment. Please send that again.")
    return _show(new.id, out)


def confirm_discard(od: OpenDraft) -> Reply:
    """Ask once before throwing a draft away."""
    buttons = (
        Button("Yes, discard it", f"d|drop|{od.tag}|{od.seq}"),
        Button("No, keep going", f"d|resume|{od.tag}|{od.seq}"),
    )
    text = "Discard this note? Everything entered so far will be deleted."
    return Reply(screens=(Notice(text),), buttons=(buttons,), remember=od.id)


async def cancel(turn: Turn) -> Reply:
    """/cancel: ask before discarding the open note."""
    rec = await turn.storage.drafts.get(turn.worker.id)
    if rec is None:
        return notice("There is no note in progress.", options=MENU)
    return confirm_discard(OpenDraft.of(rec))


async def resume(turn: Turn) -> Reply:
    """/resume: show the open note's current question again."""
    rec = await turn.storage.drafts.get(turn.worker.id)
    if rec is None:
        return notice("There is no unfinished note. Tap New note to start one.", options=MENU)
    return await _resume(turn, OpenDraft.of(rec))


async def _resume(turn: Turn, od: OpenDraft) -> Reply:
    """Use any kept messages as answers, or show the current question again."""
    if od.pending:
        return await _use_pending(turn, od)
    template = template_for(od.note)
    out = engine.resume(template, od.note, await _ctx(turn, template, od.note, None))
    _, offer, _ = _present(out)
    new = await _commit(turn, od, out.draft, offer.tokens)
    return _show(new.id, out) if new is not None else notice(GONE)


async def _use_pending(turn: Turn, od: OpenDraft) -> Reply:
    """Apply the messages kept while paused, in order, as if sent now."""
    texts = od.pending
    cleared = await _commit(turn, od, od.note, od.shown)
    if cleared is None:
        return notice(GONE)
    reply = notice("Nothing to resume.")
    current: OpenDraft | None = cleared
    for i, text in enumerate(texts):
        assert current is not None
        reply = await on_text_now(turn, current, text)
        if i == len(texts) - 1:
            break
        rec = await turn.storage.drafts.get(turn.worker.id)
        if rec is None:
            break
        current = OpenDraft.of(rec)
    return reply


async def on_text_now(turn: Turn, od: OpenDraft, text: str) -> Reply:
    """Use ``text`` as an answer straight away (no pause check)."""
    token = options.resolve(od.shown, text)
    return await _apply(turn, od, Input(token=token) if token else Input(text=text))


async def decide(turn: Turn, data: str) -> Reply:
    """The Resume / Discard buttons (d|action|tag|seq): stale ones change nothing."""
    _, action, tag, seq = [*data.split("|"), "", "", ""][:4]
    rec = await turn.storage.drafts.get(turn.worker.id)
    if rec is None or rec.id[:8] != tag or str(rec.seq) != seq:
        return Reply(toast=EXPIRED)
    od = OpenDraft.of(rec)
    if action == "resume":
        return await _resume(turn, od)
    if action == "restart":
        buttons = (
            Button("Yes, discard and start new", f"d|dropnew|{od.tag}|{od.seq}"),
            Button("No, resume it", f"d|resume|{od.tag}|{od.seq}"),
        )
        text = f"Discard the note you started {_started(od, turn)}? It can't be brought back."
        return Reply(screens=(Notice(text),), buttons=(buttons,), remember=od.id)
    if action in ("drop", "dropnew"):
        return await _discard(turn, rec, start_again=action == "dropnew")
    return Reply(toast=EXPIRED)


async def _discard(turn: Turn, rec: DraftRecord, start_again: bool) -> Reply:
    gone = await turn.storage.drafts.discard(turn.worker.id, rec.id, rec.seq)
    if gone is None:
        return Reply(toast=EXPIRED)
    tidy = _tidy(turn, gone)
    if start_again:
        started = await start_note(turn)
        return Reply(
            screens=started.screens,
            options=started.options,
            placeholder=started.placeholder,
            buttons=started.buttons,
            remember=started.remember,
            tidy=tidy,
        )
    return notice("Note discarded.", options=MENU, tidy=tidy)


def _tidy(turn: Turn, rec: DraftRecord) -> Tidy:
    """The draft's messages go (tidy-up on, within Telegram's window) or are just forgotten."""
    if turn.worker.tidy_chat and turn.now - rec.created_at < policy.TIDY_WINDOW:
        mine = (turn.message_id,) if turn.message_id else ()
        return Tidy(rec.id, mine)
    return Tidy(rec.id, (), delete=False)


async def _save(turn: Turn, od: OpenDraft, out: Finished, template: Template) -> Reply:
    """Store the note; the saved card and the tidy-up come after, best effort."""
    new = to_new_note(
        turn.worker, out.note, template, draft_id=od.id, draft_seq=od.seq, now=turn.now
    )
    try:
        saved = await turn.storage.notes.save(new, now=turn.now)
    except DraftConflict:
        return notice("That note has already been saved.", options=MENU)
    name = (out.note.participant or {}).get("name")
    card = SavedCard(saved, name, turn.worker.timezone)
    return Reply(screens=(card,), options=MENU, tidy=_tidy(turn, od.record))
