"""The text export: laid out like the template, readable in any editor."""

from __future__ import annotations

from bot.exports.text import plain, to_txt
from tests.exports.samples import declined_answers, document, note, sample

DECLINED = """\
Case notes: Zoë Nguyễn
======================
Confidential: case notes

Participant: Zoë Nguyễn
Age: 29
Pronouns: she/they
Sessions in this document: 1
Exported by: Sam Okafor
Exported: Tue 24 Nov 2026, 09:30


Session on Sun 22 Nov 2026, 15:00 · 45 min
------------------------------------------
Template: Peer support session (version 2)
Written by: Sam Okafor
Saved: Sun 22 Nov 2026, 17:00
Record: locked and unchanged (hash a1b2c3d4e5f6)

Consent to documentation was declined: only the session details and the consent answer \
were recorded.

SESSION DETAILS
Date: Sun 22 Nov 2026
Start time: 15:00
Duration: 45 min

PARTICIPANT
Participant: Zoë Nguyễn

CONSENT
Consent to documentation: No

PRESENTING CONCERNS
Not recorded (consent to documentation declined).

SESSION SUMMARY
Not recorded (consent to documentation declined).

OBSERVATIONS
Not recorded (consent to documentation declined).

AGREED ACTIONS
Not recorded (consent to documentation declined).

NEXT STEPS
Not recorded (consent to documentation declined).
"""


def test_a_declined_note_reads_section_by_section() -> None:
    doc = document((note(declined_answers(), declined=True), []))
    assert to_txt(doc).decode("utf-8") == DECLINED


def test_lists_and_paragraphs_are_indented_under_their_label() -> None:
    text = to_txt(sample()).decode("utf-8")
    assert (
        "Summary:\n"
        "  Talked through the letter from the landlord; Zoë was worried about the deadline.\n"
        "\n"
        "  Agreed to contact the council housing team together.\n"
    ) in text
    assert (
        "Agreed actions:\n"
        "  1. Call the council housing team — Participant — due Fri 27 Nov 2026\n"
        "  2. Send leaflet on tenants' rights — Peer worker\n"
    ) in text
    assert (
        "ADDENDA\n"
        "Addendum · Mon 23 Nov 2026, 16:00 · Sam Okafor\n"
        "Reason: Participant's surname was misspelt\n"
        "The correct spelling is Nguyễn; she asked that it be used from now on.\n"
    ) in text


def test_plain_keeps_what_every_format_can_carry() -> None:
    assert plain("Nguye\u0302\u0303n") == "Nguyễn"
    assert plain("one\r\ntwo\rthree\x00\x0bfour\tfive") == "one\ntwo\nthreefour    five"
    assert plain("bad \ud800 half") == "bad  half"
