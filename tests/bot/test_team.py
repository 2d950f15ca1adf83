"""A supervisor's /team and reviews, as the supervisor and their workers see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeBotApi
from bot.telegram import reminding
from storage.records import Kind
from storage.service import Storage
from tests.bot.conftest import START, FakeClock
from tests.bot.harness import Person, texts, toasts
from tests.bot.team_seed import join, note

EXPIRED = "That button has expired."


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


async def sweep(app: object) -> reminding.SweepReport:
    return await reminding.sweep(app)  # type: ignore[arg-type]


def lines_of(person: Person) -> list[str]:
    return person.last().plain.splitlines()


async def test_team_figures_count_each_workers_own_week(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    sue, s = await join(storage, api, 7001, "Sue", "supervisor", "north")
    ana, a = await join(storage, api, 7002, "Ana")
    _, b = await join(storage, api, 7003, "Ben")
    _, c = await join(storage, api, 7004, "Cal", team="south")
    await storage.workers.update_settings(b.id, timezone="Pacific/Auckland")  # UTC+13

    # Ana (London): two notes saved this week, one of them late; one saved last Sunday.
    fresh = await note(
        storage,
        a.id,
        at(23, 9),
        at(23, 11),
        name="Alex Smith",
        actions=(("Call the council", at(20, 0).date()), ("Book the GP", at(23, 0).date())),
    )
    await note(storage, a.id, at(20, 10), at(23, 10), name="Jo Bloggs", late=True)
    old = await note(
        storage,
        a.id,
        at(22, 10),
        at(22, 12),
        name="Kim",
        actions=(("Send form", at(19, 0).date()),),
    )
    await storage.agenda.complete_action(a.id, old.actions[0].id, START)  # done: not overdue
    await storage.drafts.start(a.id, {"answers": {}}, START)
    # Ben (Auckland): his week began Sunday 11:00 UTC, and Monday 23 is already yesterday.
    await note(
        storage,
        b.id,
        at(22, 11) + timedelta(minutes=30),
        at(22, 12),
        name="Max",
        actions=(("Phone back", at(23, 0).date()),),
    )
    await note(storage, b.id, at(22, 9), at(22, 10), name="Max")
    # Cal is in another team: not listed, whatever he has.
    await note(storage, c.id, at(23, 9), at(23, 10), name="Other")
    await storage.drafts.start(c.id, {"answers": {}}, START)

    await sue.say("/team")
    shown = lines_of(sue)
    assert shown[0] == "Team north"
    assert shown[1] == "Ana: 2 notes this week (1 late) · 1 unfinished draft · 1 overdue action"
    assert shown[2] == "Ben: 1 note this week · 0 unfinished drafts · 1 overdue action"
    assert not any("Cal" in line or "Sue" in line for line in shown)
    assert [label for label, _ in sue.last().buttons] == ["👤 Ana", "👤 Ben", "✖ Close"]

    # Ana's notes, latest first, each with its review state; each opens the review screen.
    await sue.tap("👤 Ana")
    listed = sue.last().plain
    assert "Notes by Ana (3)" in listed
    assert "• Mon 23 Nov · Alex Smith · awaiting review" in listed
    assert "• Fri 20 Nov · Jo Bloggs · late · awaiting review" in listed
    assert sue.last().buttons[0] == ("○ Mon 23 Nov · Alex Smith", f"rv|{fresh.id}")

    # Not a supervisor: /team says who it is for, and a forged worker button opens nothing.
    calls = await ana.say("/team")
    assert texts(calls) == ["That command is for supervisors: it shows the notes of your team."]
    assert toasts(await ana.press(ana.last().message_id, f"tm|{b.id}")) == [EXPIRED]
    # A supervisor cannot open a worker of another team.
    assert toasts(await sue.press(sue.last().message_id, f"tm|{c.id}")) == [EXPIRED]
    kinds = [e.kind for e in await storage.audit.entries(worker_id=s.id)]
    assert kinds.count("team.viewed") == 1 and kinds.count("team.worker_viewed") == 1
    # Each participant whose name Ana's list showed is in the trail, under their own id.
    listed = await storage.audit.entries(participant_id=fresh.participant_id)
    assert [(e.kind, e.worker_id) for e in listed if e.kind == "participant.listed"] == [
        ("participant.listed", s.id)
    ]


async def test_reviewed_reaches_the_worker_without_names_even_after_a_failed_send(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    sue, s = await join(storage, api, 7001, "Sue", "supervisor", "north")
    ana, a = await join(storage, api, 7002, "Ana")
    saved = await note(storage, a.id, at(23, 9), at(23, 11), name="Alex Smith")
    await sue.say("/team")
    await sue.tap("👤 Ana")
    await sue.tap("○ Mon 23 Nov · Alex Smith")
    screen = "\n".join(m.plain for m in sue.bot_messages()[-3:])
    assert "Case note: Alex Smith" in screen and "Talked it through." in screen
    assert "Review: not reviewed yet." in screen
    assert [label for label, _ in sue.last().buttons] == [
        "✓ Reviewed",
        "✎ Needs revision",
        "✖ Close",
    ]
    assert toasts(await sue.tap("✓ Reviewed")) == ["Marked reviewed."]

    before = len(ana.bot_messages())
    api.fail("sendMessage", 429, times=1, retry_after=60, chat_id=ana.chat_id)
    await sweep(bot)
    assert len(ana.bot_messages()) == before  # the send failed: kept for a retry
    clock.advance(timedelta(seconds=60))
    await sweep(bot)
    [told] = ana.bot_messages()[before:]
    assert told.plain == "✅ A supervisor marked one of your notes as reviewed."
    assert "Alex" not in told.text and "Sue" not in told.text
    await sweep(bot)
    assert len(ana.bot_messages()) == before + 1  # once

    await sue.say("/team")
    await sue.tap("👤 Ana")
    assert "• Mon 23 Nov · Alex Smith · reviewed" in sue.last().plain
    [entry] = [e for e in await storage.audit.entries(worker_id=s.id) if e.kind == "note.reviewed"]
    assert entry.ref_id == saved.id and entry.participant_id == saved.participant_id


async def test_revision_comment_answer_and_notice_back(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    sue, s = await join(storage, api, 7001, "Sue", "supervisor", "north")
    ana, a = await join(storage, api, 7002, "Ana")
    saved = await note(storage, a.id, at(23, 9), at(23, 11), name="Alex Smith")
    await note(storage, a.id, at(23, 12), at(23, 13), name="Jo Bloggs")
    clock.advance(timedelta(minutes=1))

    # /reviews for the supervisor: the team's notes awaiting review, oldest first.
    await sue.say("/reviews")
    assert sue.last().plain.startswith("Awaiting review (2)")
    await sue.tap("📄 Mon 23 Nov · Ana · Alex Smith")
    await sue.tap("✎ Needs revision")
    assert "Type your comment" in sue.last().plain
    # /cancel drops it; nothing is asked of the worker.
    await sue.say("/cancel")
    assert "no revision was asked" in sue.last().plain
    assert await storage.reviews.latest(saved.id) is None
    await sue.press(sue.last_with_buttons().message_id, f"rv|fix|{saved.id}")
    await sue.say("Please add what was agreed about the <rent> & the GP.")
    assert "Revision asked" in sue.last().plain
    review = await storage.reviews.latest(saved.id)
    assert review is not None and review.status == "needs_revision"
    assert review.worker_id == a.id and review.reviewer_id == s.id

    before = len(ana.bot_messages())
    await sweep(bot)
    [told] = ana.bot_messages()[before:]
    assert "asked for a revision of one of your notes" in told.plain
    assert "Alex" not in told.text and "rent" not in told.text

    # The worker's /reviews: the note, the comment, and the way to answer it.
    await ana.say("/reviews")
    shown = ana.last()
    assert "Alex Smith" in shown.plain and "Asked" in shown.plain and "by Sue" in shown.plain
    assert "Please add what was agreed about the <rent> & the GP." in shown.plain
    await ana.tap("✏️ Answer with an addendum")
    assert "Why are you adding it?" in ana.last().plain
    await ana.tap("More information")
    clock.advance(timedelta(minutes=5))
    await ana.say("We agreed Alex phones the GP on Friday.")
    assert "answers the revision" in ana.last().plain
    review = await storage.reviews.latest(saved.id)
    assert review is not None and review.answered_at == clock.now and review.addendum_id
    await ana.say("/reviews")
    assert ana.last().plain == "No notes of yours need revision."

    before = len(sue.bot_messages())
    await sweep(bot)
    [back] = sue.bot_messages()[before:]
    assert back.plain == "↩️ A revision you asked for was answered: see /reviews."
    assert "Alex" not in back.text and "Ana" not in back.text
    await sue.tap("Open", back)
    assert "Alex Smith · awaiting review (revision answered)" in sue.last().plain
    kinds = [e.kind for e in await storage.audit.entries(participant_id=saved.participant_id)]
    assert "note.revision_requested" in kinds and "note.revision_answered" in kinds


async def test_only_a_supervisor_of_the_team_reviews_and_forged_buttons_change_nothing(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    sue, s = await join(storage, api, 7001, "Sue", "supervisor", "north")
    ana, a = await join(storage, api, 7002, "Ana")
    ben, b = await join(storage, api, 7003, "Ben")
    sam, _ = await join(storage, api, 7004, "Sam", "supervisor", "south")
    ada, _ = await join(storage, api, 7005, "Ada", "admin", "north")
    anas = await note(storage, a.id, at(23, 9), at(23, 11), name="Alex Smith")
    sues = await note(storage, s.id, at(23, 9), at(23, 11), name="Own Person")
    await sue.say("/help")
    hint = sue.last().message_id
    for who in (ben, ana, sam, ada):  # a worker, the owner, another team's supervisor, admin
        await who.say("/help")
        for data in (f"rv|{anas.id}", f"rv|ok|{anas.id}", f"rv|fix|{anas.id}"):
            assert toasts(await who.press(who.last().message_id, data)) == [EXPIRED]
        await who.say("a comment that must not be kept")
    assert toasts(await sue.press(hint, f"rv|ok|{sues.id}")) == [EXPIRED]  # not their own
    assert toasts(await sue.press(hint, "rv|ok|" + "0" * 32)) == [EXPIRED]
    assert toasts(await sue.press(hint, f"rv|maybe|{anas.id}")) == [EXPIRED]
    assert await storage.reviews.latest(anas.id) is None
    assert await storage.reviews.latest(sues.id) is None
    assert await storage.reviews.pending(b.id) is None
    for w in (a.id, s.id):
        assert await storage.reminders.pending_for(w, Kind.REVIEWS) == []
    assert not any("Alex Smith" in m.text for p in (ben, sam, ada) for m in p.bot_messages())
    # The real supervisor can.
    assert toasts(await sue.press(hint, f"rv|ok|{anas.id}")) == ["Marked reviewed."]


async def test_a_comment_and_a_note_in_progress_keep_apart(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    sue, s = await join(storage, api, 7001, "Sue", "supervisor", "north")
    _, a = await join(storage, api, 7002, "Ana")
    anas = await note(storage, a.id, at(23, 9), at(23, 11), name="Alex Smith")
    # Sue is writing a note of her own when she asks for a revision.
    await sue.say("/new")
    await sue.tap("Yesterday")
    question = sue.last().plain
    draft = await storage.drafts.get(s.id)
    assert draft is not None
    await sue.press(sue.last().message_id, f"rv|fix|{anas.id}")
    await sue.say("📝 New note")  # the menu, tapped by habit: not a comment
    assert "Please type your comment" in sue.last().plain
    await sue.say("Add the plan, please.")
    shown = sue.last().plain
    assert shown.startswith("✎ Revision asked") and shown.endswith(question)  # back to her note
    after = await storage.drafts.get(s.id)
    assert after is not None and after.state["engine"] == draft.state["engine"]  # took nothing
    review = await storage.reviews.latest(anas.id)
    assert review is not None and review.comment == "Add the plan, please."
    # Begun again and then a new note: the comment is dropped, the note's answers are its own.
    await sue.press(sue.last().message_id, f"rv|fix|{anas.id}")
    await sue.say("/resume")
    assert await storage.reviews.pending(s.id) is None
    await sue.say("2pm")
    assert (await storage.reviews.latest(anas.id)) == review
