"""Files the operator's commands create are private; settings take any case."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.crypto import KeyFileError, KeyRing
from tests.test_cli import env, run

__all__ = ["env"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_new_creates_the_data_folder_private(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASENOTES_KEYS_FILE", str(env / "data" / "keys.json"))
    monkeypatch.setenv("CASENOTES_DATABASE_URL", f"sqlite+aiosqlite:///{env}/data/c.db")
    assert run("keys", "new")[0] == 0
    assert mode(env / "data") == 0o700 and mode(env / "data" / "keys.json") == 0o600
    assert run("db", "upgrade")[0] == 0
    assert mode(env / "data" / "c.db") == 0o600
    assert run("keys", "rotate")[0] == 0
    assert sorted(p.name for p in (env / "data").iterdir() if p.name.endswith(".tmp")) == []
    assert mode(env / "data" / "keys.json") == 0o600


def test_log_level_in_any_case_and_a_bad_one_named(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASENOTES_LOG_LEVEL", "info")
    assert Settings().log_level == "INFO"
    monkeypatch.setenv("CASENOTES_LOG_LEVEL", "chatty")
    code, out = run("db", "upgrade")
    assert code == 1 and "CASENOTES_LOG_LEVEL" in out and "any case" in out


def test_a_short_index_secret_is_refused() -> None:
    ring = KeyRing.generate()
    with pytest.raises(KeyFileError, match="index secret"):
        KeyRing(dict(ring.keys), ring.primary, b"")
    with pytest.raises(KeyFileError, match="index secret"):
        KeyRing(dict(ring.keys), ring.primary, b"short")
    assert "keys" not in repr(ring) and ring.keys[ring.primary].hex() not in repr(ring)
