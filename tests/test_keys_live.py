"""A key ring follows its key file while running, and key commands never lose a key."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import sys
import time
from pathlib import Path

import pytest

from bot.cli import WAITING_FOR_LOCK
from storage import crypto
from storage.crypto import (
    IntegrityError,
    KeyFileError,
    KeyRing,
    key_file_lock,
    load_key_ring,
    write_key_ring,
)
from storage.records import NewParticipant
from storage.service import open_storage

AAD = "notes.summary_enc.1"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    write_key_ring(path, KeyRing.generate(), overwrite=False)
    return path


def rotate_file(path: Path) -> KeyRing:
    """What `keys rotate` writes first: a new primary beside the old keys."""
    newer = load_key_ring(path).with_new_primary()
    write_key_ring(path, newer, overwrite=True)
    return newer


def test_a_value_sealed_with_a_key_from_a_rotation_opens_without_a_restart(keys: Path) -> None:
    running = load_key_ring(keys)
    old = running.seal(b"before", AAD, owner=7)
    newer = rotate_file(keys)
    assert running.open(newer.seal(b"after", AAD, owner=7), AAD, owner=7) == b"after"
    assert running.primary == newer.primary and running.rotation_pending
    assert running.open(old, AAD, owner=7) == b"before"
    shown = repr(running)
    assert not any(
        k.hex() in shown or base64.b64encode(k).decode() in shown for k in running.keys.values()
    )


def test_an_unknown_key_id_rereads_the_file_once_and_then_fails_as_before(keys: Path) -> None:
    running = load_key_ring(keys)
    stranger = KeyRing.generate().seal(b"x", AAD)
    newer = rotate_file(keys)
    with pytest.raises(IntegrityError, match="sealed with unknown key"):
        running.open(stranger, AAD)
    assert running.primary == newer.primary  # it did re-read the file, and adopted it


def test_a_key_file_with_another_index_secret_is_refused(
    keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    running = load_key_ring(keys)
    before = running.primary
    impostor = KeyRing.generate()
    with pytest.raises(KeyFileError, match="another index secret"):
        running.adopt(impostor)
    write_key_ring(keys, impostor, overwrite=True)
    with (
        caplog.at_level(logging.WARNING, logger="storage.crypto"),
        pytest.raises(IntegrityError, match="sealed with unknown key"),
    ):
        running.open(impostor.seal(b"x", AAD), AAD)
    assert running.primary == before and impostor.primary not in running.keys
    assert "another index secret" in caplog.text
    secret = base64.b64encode(impostor.keys[impostor.primary]).decode()
    assert secret not in caplog.text


def test_a_key_file_that_lost_a_held_key_is_not_followed(
    keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An older key file put back (or one with a key cut out) is refused: following it would
    seal with an old primary, and values sealed with the lost key would not open after the
    next restart. The ring keeps every key and its primary, and says so at ERROR."""
    running = load_key_ring(keys)
    old = running.seal(b"kept", AAD)
    newer = rotate_file(keys)
    assert running.reload() and running.primary == newer.primary
    fresh = running.seal(b"fresh", AAD)
    only_old = KeyRing(
        {k: v for k, v in newer.keys.items() if k != newer.primary},
        next(k for k in newer.keys if k != newer.primary),
        newer.index_secret,
    )
    write_key_ring(keys, only_old, overwrite=True)
    with caplog.at_level(logging.ERROR, logger="storage.crypto"):
        assert not running.reload()
    assert f"lost key {newer.primary}" in caplog.text
    assert running.primary == newer.primary
    assert running.open(old, AAD) == b"kept" and running.open(fresh, AAD) == b"fresh"


def test_an_unreadable_key_file_leaves_the_ring_working(
    keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    running = load_key_ring(keys)
    newer = rotate_file(keys)
    os.chmod(keys, 0o644)
    with (
        caplog.at_level(logging.WARNING, logger="storage.crypto"),
        pytest.raises(IntegrityError, match="sealed with unknown key"),
    ):
        running.open(newer.seal(b"x", AAD), AAD)
    assert "chmod 600" in caplog.text
    assert running.open(running.seal(b"still", AAD), AAD) == b"still"
    os.chmod(keys, 0o600)
    assert running.open(newer.seal(b"x", AAD), AAD) == b"x"


def test_sealing_switches_to_a_new_primary_soon_after_it_is_written(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crypto, "RELOAD_INTERVAL", 0.05)
    running = load_key_ring(keys)
    first = running.primary
    newer = rotate_file(keys)
    assert KeyRing.key_id_of(running.seal(b"x", AAD)) == first  # checked less than 0.05 s ago
    time.sleep(0.06)
    assert KeyRing.key_id_of(running.seal(b"x", AAD)) == newer.primary
    # A ring not loaded from a file (tests, the rotation's own ring) never looks for one.
    assert not KeyRing.generate().reload()


# Two real processes, as two operators typing at once.


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASENOTES_")}
    env["CASENOTES_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/c.db"
    env["CASENOTES_KEYS_FILE"] = str(tmp_path / "keys.json")
    return env


async def casenotes(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "casenotes"),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode()


async def test_two_rotations_at_once_keep_every_key(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    keys = tmp_path / "keys.json"
    write_key_ring(keys, KeyRing.generate(), overwrite=False)
    first = load_key_ring(keys).primary
    st = await open_storage(env["CASENOTES_DATABASE_URL"], keys)
    invite = await st.workers.create_invite()
    wid = (await st.workers.redeem_invite(invite.code, 1, "Sam", "UTC")).id
    for name in ("Alex", "Jo", "Robin"):
        await st.participants.add(wid, NewParticipant(name))
    await st.close()

    (a, out_a), (b, out_b) = await asyncio.gather(
        casenotes(env, "keys", "rotate"), casenotes(env, "keys", "rotate")
    )
    assert (a, b) == (0, 0), out_a + out_b
    announced = [
        line.split()[3] for line in (out_a + out_b).splitlines() if "new primary key" in line
    ]
    assert len(announced) == 2  # the second re-read the file and built on the first
    held = json.loads(keys.read_text())
    assert set(held["keys"]) == {first, *announced} and not held["rotation_pending"]
    code, out = await casenotes(env, "keys", "check")
    assert code == 0 and "all values decrypt" in out, out
    assert f"key {held['primary']} (primary)" in out and out.count("key ") == 1


async def test_keys_new_waits_for_the_lock_then_refuses_to_overwrite(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    keys = tmp_path / "keys.json"
    with key_file_lock(keys):  # another key command is half-way through making the file
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "casenotes"),
            "keys",
            "new",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line.decode().strip() == WAITING_FOR_LOCK
        ours = KeyRing.generate()
        write_key_ring(keys, ours, overwrite=False)
    rest, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 1 and "refusing to overwrite" in rest.decode()
    assert load_key_ring(keys) == ours
