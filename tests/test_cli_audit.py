"""`casenotes audit verify` and `audit show`, as an operator runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import env, run
from tests.test_cli_records import seed

__all__ = ["env"]


def test_verify_passes_then_names_a_hand_edited_entry(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    seed(env)
    code, out = run("audit", "verify")
    assert code == 0, out
    assert "audit chain intact" in out
    with sqlite3.connect(env / "c.db") as db:
        db.execute("UPDATE audit_events SET kind = 'note.viewed' WHERE seq = 3")
    code, out = run("audit", "verify")
    assert code == 1
    assert "BROKEN at entry 3" in out and "changed" in out


def test_verify_names_a_deleted_entry(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    seed(env)
    with sqlite3.connect(env / "c.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq = 2")
    code, out = run("audit", "verify")
    assert code == 1 and "entry 2 is missing" in out


def test_show_lists_one_participants_entries_without_content(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    worker, pid = seed(env)
    code, out = run("audit", "show", "--participant", pid)
    assert code == 0, out
    lines = out.strip().splitlines()
    assert sum("note.saved" in line for line in lines) == 2
    assert sum("note.addendum" in line for line in lines) == 1
    assert all(pid in line and f"worker {worker}" in line for line in lines)
    assert "Zoë" not in out and "Housing" not in out
    code, out = run("audit", "show", "--since", "2999-01-01")
    assert code == 0 and "no audit entries match" in out
    code, out = run("audit", "show", "--since", "yesterday-ish")
    assert code == 1 and "--since wants a date" in out


def test_verify_with_the_logged_head_catches_a_cut_off_tail(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    seed(env)
    code, out = run("audit", "verify")
    head = out.strip().splitlines()[-1]  # "head: entry N, hash H", as the bot logs it
    seq, digest = head.removeprefix("head: entry ").split(", hash ")
    with sqlite3.connect(env / "c.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq = ?", (int(seq),))
        prev = db.execute(
            "SELECT hash FROM audit_events WHERE seq = ?", (int(seq) - 1,)
        ).fetchone()[0]
        db.execute("UPDATE audit_head SET seq = ?, hash = ?", (int(seq) - 1, prev))
    assert run("audit", "verify")[0] == 0  # the database alone cannot tell
    code, out = run("audit", "verify", "--head", f"{seq}:{digest}")
    assert code == 1 and f"the log saw entry {seq}" in out
    code, out = run("audit", "verify", "--head", "nonsense")
    assert code == 1 and "--head wants ENTRY:HASH" in out
