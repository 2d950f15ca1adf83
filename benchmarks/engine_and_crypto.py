"""On-demand figures: how long sealing values and walking a whole note through the engine take.

Run: .venv/bin/python benchmarks/engine_and_crypto.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from conversations.engine import Clock, Ctx, Input, answer, start
from conversations.template import get_template
from storage.crypto import KeyRing

NOTE = [
    Input(text="yesterday 3pm"),
    Input(token="nav:keep"),
    Input(text="45m"),
    Input(token="c:one_to_one"),
    Input(token="nav:skip"),
    Input(text="Alex"),
    Input(text="34"),
    Input(token="c:they_them"),
    Input(text="yes"),
    Input(token="c:anxiety"),
    Input(token="nav:done"),
    Input(text="Eviction"),
    Input(text="Talked it through."),
    Input(token="nav:done"),
    Input(token="c:calm"),
    Input(token="nav:done"),
    Input(token="nav:skip"),
    Input(token="c:6"),
    Input(text="Call the council"),
    Input(token="c:participant"),
    Input(text="friday"),
    Input(token="nav:done"),
    Input(token="nav:skip"),
    Input(token="nav:skip"),
    Input(token="nav:save"),
]


def timed(label: str, fn, repeat: int) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    print(f"{label:<40} median {statistics.median(samples) * 1e3:8.3f} ms  (n={repeat})")


def walk_note() -> None:
    template = get_template("peer_support")
    ctx = Ctx(Clock(datetime(2026, 11, 23, 15, tzinfo=UTC)))
    out = start(template, ctx)
    for inp in NOTE:
        out = answer(template, out.draft, inp, ctx)
    assert out.kind == "completed", out.kind


def main() -> None:
    ring = KeyRing.generate()
    summary = ("We talked about the week. " * 130).encode()
    sealed = ring.seal(summary, "notes.content_enc.x", 1)
    timed("seal 3.4 kB note", lambda: ring.seal(summary, "notes.content_enc.x", 1), 2000)
    timed("open 3.4 kB note", lambda: ring.open(sealed, "notes.content_enc.x", 1), 2000)
    timed("blind index of a name", lambda: ring.blind_index("Alex Smith", 1), 2000)
    walk_note()  # warm dateparser
    timed("whole peer_support note via engine", walk_note, 50)


if __name__ == "__main__":
    main()
