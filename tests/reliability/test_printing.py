"""A failing hypothesis example is printed with hypothesis's own pretty-printer, which shows
a dataclass's repr=False fields: a KeyRing among the arguments must still not show its keys."""

from __future__ import annotations

from hypothesis.vendor.pretty import pretty

from storage.crypto import KeyRing


def test_a_failing_examples_report_never_shows_key_bytes() -> None:
    ring = KeyRing.generate()
    shown = pretty({"ring": ring})
    assert ring.primary in shown
    assert ring.keys[ring.primary] != b"" and repr(ring.keys[ring.primary]) not in shown
    assert "index_secret" not in shown and repr(ring.index_secret) not in shown
