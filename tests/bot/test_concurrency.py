"""Issue 7, sections 3 and 4: every worker in order, all workers at once; one call per answer;
few statements and decrypts per answer."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.fakeapi import FakeBotApi
from storage.metrics import QueryCounter
from storage.records import NewParticipant
from storage.service import Storage
from tests.bot.conftest import invite
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person

HELP = "walks you through a case note"


async def test_one_workers_flood_limit_does_not_hold_up_another(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    a = await invite(storage, api, 6001, "A")
    b = await invite(storage, api, 6002, "B")
    api.fail("sendMessage", 429, times=3, retry_after=2, chat_id=a.chat_id)
    api.user_message(a.user, a.chat_id or 0, "/help")
    await asyncio.sleep(0.3)
    await b.say("/help")
    assert HELP in b.last().plain
    # A's reply is still waiting out its 429s, and arrives later: delayed, not lost.
    assert HELP not in a.last().plain
    await a.wait_for(HELP)
    a_sends = [c for c in api.calls_for(a.chat_id or 0) if c.method == "sendMessage"]
    assert len(a_sends[-4:]) == 4  # three refused, then delivered: one retry layer, no more


async def test_a_workers_own_messages_are_taken_in_order(
    worker: Person, storage: Storage, api: FakeBotApi
) -> None:
    await worker.say("/new")
    api.fail("sendMessage", status=200, times=3, delay=0.3, chat_id=worker.chat_id)
    for text in ("Today", "9am", "45 min"):  # typed quickly, before any reply arrives
        api.user_message(worker.user, worker.chat_id or 0, text)
    await worker.wait_for("What kind of session")
    wid = (await storage.workers.list())[0].id
    draft = await storage.drafts.get(wid)
    assert draft is not None
    answers = draft.state["engine"]["answers"]
    assert answers["start_time"] == "09:00" and answers["duration"] == 45


async def test_a_whole_note_costs_at_most_1_1_chat_calls_per_answer(
    worker: Person, api: FakeBotApi
) -> None:
    sent_before = len(worker.sent)
    before = len(api.chat_scoped_calls(worker.chat_id))
    await answer_up_to_review(worker)
    await worker.tap("Save note")
    calls = len(api.chat_scoped_calls(worker.chat_id)) - before
    answers = len(worker.sent) - sent_before  # every answer here is a message (typed or tapped)
    assert answers >= 25  # a realistic note, typed and tapped
    assert calls / answers <= 1.1, f"{calls} calls for {answers} answers"
    assert worker.last().plain.startswith("✅ Saved")


async def test_a_typed_answer_costs_few_statements_and_decrypts(
    worker: Person, storage: Storage, bot: Application
) -> None:
    assert bot.job_queue is not None
    for job in bot.job_queue.jobs():  # background sweeps would be counted too
        job.enabled = False
    wid = (await storage.workers.list())[0].id
    for i in range(8):
        await storage.participants.add(wid, NewParticipant(f"Person {i}", 30 + i, "she/her"))
    await worker.say("/new")
    await worker.tap("Yesterday")
    with QueryCounter(storage) as counter:
        await worker.say("3pm")
    assert "How long was it" in worker.last().plain
    # worker, draft, compare-and-set, messages for tidy-up; the worker's name and the draft
    assert counter.statements <= 4, counter.sql
    assert counter.decrypts <= 2
