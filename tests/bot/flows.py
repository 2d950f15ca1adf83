"""A worker's answers for a whole note, typed and tapped as on a phone."""

from __future__ import annotations

from tests.bot.harness import Person


async def answer_up_to_review(
    w: Person, name: str = "Alex", summary: str = "Talked it through."
) -> None:
    await w.say("/new")
    await w.tap("Yesterday")
    await w.say("3pm")
    await w.tap("45 min")
    await w.tap("One-to-one")
    await w.tap("Skip")
    await w.say(name)
    await w.say("34, they/them")
    await w.tap("Yes")
    await w.tap("Anxiety")
    await w.tap("Housing")
    await w.tap("Done")
    await w.say("Worried about eviction")
    await w.say(summary)
    await w.tap("Done")
    await w.tap("Calm")
    await w.tap("Done")
    await w.tap("Skip")
    await w.tap("7")
    await w.say("Call the council")
    await w.tap("Participant")
    await w.tap("In a week")
    await w.tap("Add one")
    await w.say("Send leaflet")
    await w.tap("Peer worker")
    await w.tap("Skip")
    await w.tap("Done")
    await w.tap("Skip")
    await w.tap("Skip")
