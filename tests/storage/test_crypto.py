"""The key ring on its own: sealing, binding, tampering, key files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storage.crypto import (
    IntegrityError,
    KeyFileError,
    KeyRing,
    load_key_ring,
    normalise_name,
    write_key_ring,
)


def test_seal_round_trips_and_uses_fresh_nonces(ring: KeyRing) -> None:
    a = ring.seal(b"Alex said hello", "notes.content_enc.1")
    b = ring.seal(b"Alex said hello", "notes.content_enc.1")
    assert a != b
    assert b"Alex" not in a
    assert ring.open(a, "notes.content_enc.1") == b"Alex said hello"


def test_value_moved_to_another_row_fails(ring: KeyRing) -> None:
    blob = ring.seal(b"secret", "notes.content_enc.1")
    with pytest.raises(IntegrityError, match="integrity"):
        ring.open(blob, "notes.content_enc.2")


@pytest.mark.parametrize("position", [0, 3, 10, 20, -1])
def test_any_flipped_byte_is_detected(ring: KeyRing, position: int) -> None:
    blob = bytearray(ring.seal(b"secret", "t.c.1"))
    blob[position] ^= 0x01
    with pytest.raises(IntegrityError):
        ring.open(bytes(blob), "t.c.1")


def test_old_keys_decrypt_after_new_primary(ring: KeyRing) -> None:
    old = ring.seal(b"before", "t.c.1")
    newer = ring.with_new_primary()
    assert newer.primary != ring.primary
    assert newer.open(old, "t.c.1") == b"before"
    assert KeyRing.key_id_of(newer.seal(b"after", "t.c.1")) == newer.primary
    assert newer.blind_index("Alex", 1) == ring.blind_index("Alex", 1)


def test_blind_index_normalises_but_distinguishes(ring: KeyRing) -> None:
    assert ring.blind_index("  ALEX ", 1) == ring.blind_index("alex", 1)
    assert ring.blind_index("Alex", 1) != ring.blind_index("Alexa", 1)
    assert ring.blind_index("Alex", 1) != KeyRing.generate().blind_index("Alex", 1)


def test_key_file_written_0600_and_never_overwritten(tmp_path: Path, ring: KeyRing) -> None:
    path = tmp_path / "keys.json"
    write_key_ring(path, ring, overwrite=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_ring(path) == ring
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_key_ring(path, KeyRing.generate(), overwrite=False)
    assert load_key_ring(path) == ring


def test_loose_permissions_and_garbage_are_refused(tmp_path: Path, ring: KeyRing) -> None:
    path = tmp_path / "keys.json"
    write_key_ring(path, ring, overwrite=False)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key_ring(path)
    os.chmod(path, 0o600)
    path.write_text("{not json")
    with pytest.raises(KeyFileError, match="not a valid"):
        load_key_ring(path)
    with pytest.raises(KeyFileError, match="does not exist"):
        load_key_ring(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "typed",
    ["Al\u200bex", "Ale\u200dx", "\ufeffAlex", "\u2066Alex\u2069", "A\u00adlex", "ALEX\u200c"],
)
def test_invisible_format_characters_do_not_change_the_index(ring: KeyRing, typed: str) -> None:
    assert normalise_name(typed) == "alex"
    assert ring.blind_index(typed, 1) == ring.blind_index("Alex", 1)


def test_counting_opens_leaves_equality_repr_and_key_file_alone(ring: KeyRing) -> None:
    blob = ring.seal(b"x", "t.c.1")
    twin = KeyRing.from_json(ring.to_json())
    ring.open(blob, "t.c.1")
    ring.open(blob, "t.c.1")
    assert (ring.opens, twin.opens) == (2, 0)
    assert ring == twin and repr(ring) == repr(twin) and ring.to_json() == twin.to_json()
    assert "opens" not in ring.to_json()
