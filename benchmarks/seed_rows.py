"""The rows benchmarks/seed.py inserts: plausible participants, notes and actions, sealed with
the repositories' own helpers and AAD so the repositories read them like any other."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.crypto import KeyRing
from storage.models import Participant
from storage.records import NewParticipant
from storage.repositories.base import Repository, new_id
from storage.repositories.notes import content_digest
from storage.repositories.participants import ParticipantRepository

Row = dict[str, Any]
#: The benchmark's "today": sessions spread over the three years before it.
END = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SPAN_DAYS = 3 * 365
TG_BASE = 7_000_000
_FIRST = (
    "Alex Sam Jordan Taylor Morgan Casey Riley Jamie Charlie Robin Chris Pat Kim Lee Max Noah "
    "Olivia Emma Amelia Isla Ava Mia Grace Freya Lily Ella Oliver George Harry Jack Leo Arthur "
    "Muhammad Ahmed Fatima Aisha Omar Yusuf Priya Arjun Anaya Ravi Wei Mei Hana Yuki Kenji Minh "
    "Linh Zoë José María Chloé Renée Søren Øyvind Łukasz Małgorzata Siobhán Aoife Niamh Seán "
    "Dmitri Olga Kwame Ama Chidi Ngozi Thabo Zanele Mateo Lucía Joaquín Inés Björn Åsa "
    "Мария Иван Наталья محمد فاطمة علي 李娜 王伟 さくら 太郎 प्रिया Νίκος נועה"
)
_LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Roberts Johnson Walker Wright "
    "Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Martin Jackson Clarke "
    "Khan Patel Ali Hussain Begum Singh Kaur Chen Wang Li Nguyen Tran Kim Park Tanaka Sato "
    "O'Brien Súilleabháin McCarthy Murphy Kelly Okafor Mensah Dlamini García Fernández "
    "Müller Schäfer Novák Kowalski Jørgensen Ångström Dubois Lefèvre Silva Gonçalves "
    "Иванова Петров Смирнов Haddad الحسن Cohen Παπαδόπουλος 山田 张"
)
FIRST, LAST = _FIRST.split(), _LAST.split()
TAGS = ["anxiety", "mood", "housing", "substance_use", "relationships", "work_study", "other"]
SENTENCES = [
    "Talked through how the week went since the last session and what felt hardest.",
    "They described trouble sleeping and feeling on edge most evenings.",
    "We went over the housing letter together and who to call about it.",
    "Mentioned arguments at home that leave them wanting to go out and not come back.",
    "Felt more hopeful after the GP appointment; the new plan seems manageable.",
    "Spoke about cutting down drinking at weekends and what helped last time.",
    "We practised a grounding exercise and they said it took the edge off.",
    "Work has been stressful; their manager agreed to a phased return.",
    "Discussed the benefits review and gathering the documents it needs.",
    "They want to reconnect with an old friend and planned a first message.",
    "Said the group session helped more than expected; will go again.",
    "Low mood most of the week but got out for a walk twice.",
    "Agreed to keep a short diary of good moments before next time.",
    "Worried about the court date; we looked at who can come along for support.",
    "Money is tight this month; talked about the food bank and budgeting support.",
    "Much calmer than last session and proud of keeping to the routine.",
]


def worker_rows(ring: KeyRing, count: int) -> list[Row]:
    """Workers with Telegram ids TG_BASE + 1.. (the bot benchmark writes as them)."""
    repo = Repository(None, ring)  # type: ignore[arg-type]
    joined = END - timedelta(days=SPAN_DAYS + 60)
    return [
        dict(
            telegram_user_id=TG_BASE + i,
            display_name_enc=repo.seal_text(
                f"Worker {i}", "workers", "display_name_enc", TG_BASE + i, owner=None
            ),
            role="worker",
            timezone="Europe/London",
            date_order="DMY",
            tidy_chat=True,
            active=True,
            created_at=joined,
        )
        for i in range(1, count + 1)
    ]


def people_rows(ring: KeyRing, count: int, worker_ids: list[int]) -> tuple[list[Row], list[Row]]:
    """Participants (names from many languages) spread over workers, and their name words."""
    rng = random.Random(0)
    repo = ParticipantRepository(None, ring)  # type: ignore[arg-type]
    cols = [c.key for c in Participant.__table__.columns]
    people: list[Row] = []
    words: list[Row] = []
    for _ in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        age = rng.choice([None, rng.randint(16, 70)])
        new = NewParticipant(name, age, rng.choice([None, "she/her", "he/him", "they/them"]))
        row = repo.build(rng.choice(worker_ids), None, new)
        row.created_at = END - timedelta(days=SPAN_DAYS + 30)
        people.append({c: getattr(row, c) for c in cols})
        words += [
            dict(participant_id=w.participant_id, worker_id=w.worker_id, word_index=w.word_index)
            for w in repo.word_rows(row, name)
        ]
    return people, words


def content_of(rng: random.Random, start: datetime, minutes: int) -> dict[str, Any]:
    """A plausible peer-support note as the engine stores it."""
    answers: dict[str, Any] = {
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "duration": minutes,
        "session_type": rng.choice(["one_to_one", "one_to_one", "phone", "video", "group"]),
        "consent": "yes",
        "concern_tags": rng.sample(TAGS, rng.randint(1, 3)),
        "concerns": rng.choice(SENTENCES),
        "summary": " ".join(rng.sample(SENTENCES, rng.randint(2, 5))),
        "emotional_state": rng.sample(["calm", "anxious", "low", "hopeful", "tearful"], 2),
        "wellbeing": rng.randint(2, 9),
    }
    if rng.random() < 0.4:
        answers["follow_up"] = rng.choice(SENTENCES)
    return {"answers": answers, "consent_declined": False}


# Set once per worker process by ``start_process``: the ring and who the notes are about.
_ring: KeyRing
_people: list[tuple[str, int]]
_weights: list[float]


def start_process(ring_json: str, people: list[tuple[str, int]], weights: list[float]) -> None:
    """Give a worker process the key ring, the (participant, worker) pairs and their
    cumulative weights (some participants are seen far more often than others)."""
    global _ring, _people, _weights
    _ring, _people, _weights = KeyRing.from_json(ring_json), people, weights


def note_batch(batch_no: int, size: int) -> tuple[list[Row], list[Row], dict[str, datetime]]:
    """Seal ``size`` notes, ~1 in 4 with 1-3 actions (recent ones mostly open, old ones mostly
    done); also each participant's latest session in the batch."""
    rng = random.Random(batch_no)
    repo = Repository(None, _ring)  # type: ignore[arg-type]
    notes: list[Row] = []
    actions: list[Row] = []
    latest: dict[str, datetime] = {}
    for _ in range(size):
        pid, wid = _people[bisect(_weights, rng.random() * _weights[-1])]
        day = END - timedelta(days=rng.randrange(1, SPAN_DAYS))
        start = day.replace(hour=rng.randint(8, 18), minute=rng.choice([0, 15, 30, 45]))
        minutes = rng.choice([30, 45, 50, 60, 60, 90])
        nid = new_id()
        content = content_of(rng, start, minutes)
        enc, stored = repo.seal_json_as_stored(content, "notes", "content_enc", nid, owner=wid)
        digest = content_digest(
            _ring,
            stored,
            session_start=start,
            duration_minutes=minutes,
            template_id="peer_support",
            template_version=2,
        )
        saved = start + timedelta(hours=2)
        notes.append(
            dict(
                id=nid,
                participant_id=pid,
                worker_id=wid,
                session_start=start,
                duration_minutes=minutes,
                template_id="peer_support",
                template_version=2,
                content_enc=enc,
                status="complete",
                created_at=saved,
                completed_at=saved,
                late=False,
                content_hash=digest,
            )
        )
        latest[pid] = max(latest.get(pid, start), start)
        open_odds = 0.7 if (END - start).days < 60 else 0.03
        for _ in range(rng.choice([1, 1, 2, 3]) if rng.random() < 0.25 else 0):
            aid = new_id()
            done = rng.random() >= open_odds
            due = start + timedelta(days=rng.randint(3, 30))
            actions.append(
                dict(
                    id=aid,
                    note_id=nid,
                    worker_id=wid,
                    text_enc=repo.seal_text(
                        rng.choice(SENTENCES), "actions", "text_enc", aid, owner=wid
                    ),
                    who=rng.choice(["participant", "worker", "both"]),
                    due=due.date() if rng.random() < 0.7 else None,
                    done=done,
                    done_at=saved + timedelta(days=7) if done else None,
                )
            )
    return notes, actions, latest
