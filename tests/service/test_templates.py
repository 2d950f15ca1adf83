"""A worker's template choice: which template a new note starts on, and changing it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.service import capture, templates
from bot.service.deps import Deps, Turn
from conversations import template as template_module
from storage.service import Storage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _turn(storage: Storage, default: str = "peer_support") -> Turn:
    invite = await storage.workers.create_invite(now=NOW)
    worker = await storage.workers.redeem_invite(invite.code, 7001, "Sam", "Europe/London", NOW)
    return Turn(Deps(storage, template_id=default, now=lambda: NOW), worker, chat_id=7001)


async def _again(turn: Turn) -> Turn:
    """The worker's next turn, with their settings as stored now."""
    worker = await turn.storage.workers.by_telegram_id(7001)
    assert worker is not None
    return Turn(turn.deps, worker, chat_id=turn.chat_id)


async def _new_note_template(turn: Turn) -> str:
    """Start a note and say which template the stored draft is on; then discard it."""
    await capture.start_note(turn)
    draft = await turn.storage.drafts.get(turn.worker.id)
    assert draft is not None
    await turn.storage.drafts.discard(turn.worker.id, draft.id)
    return str(draft.state["engine"]["template_id"])


@SQLITE
async def test_choose_a_template_then_go_back_to_the_default(storage: Storage) -> None:
    turn = await _turn(storage, default="dap")
    assert templates.describe(turn.deps, turn.worker) == "DAP note (organisation default)"
    assert await _new_note_template(turn) == "dap"
    listed = templates.options(turn.deps, turn.worker)
    assert [(o.label, o.chosen) for o in listed][:2] == [
        ("Organisation default (DAP note)", True),
        ("BIRP note", False),
    ]
    assert {o.template_id for o in listed} == {None, "birp", "dap", "peer_support", "soap"}

    assert await templates.choose(turn.deps, turn.worker, "soap") is not None
    turn = await _again(turn)
    assert templates.describe(turn.deps, turn.worker) == "SOAP note"
    assert [o.template_id for o in templates.options(turn.deps, turn.worker) if o.chosen] == [
        "soap"
    ]
    assert await _new_note_template(turn) == "soap"

    assert await templates.choose(turn.deps, turn.worker, None) is not None
    turn = await _again(turn)
    assert turn.worker.template_id is None
    assert await _new_note_template(turn) == "dap"


@SQLITE
async def test_a_template_that_is_not_offered_is_refused(storage: Storage) -> None:
    turn = await _turn(storage)
    assert await templates.choose(turn.deps, turn.worker, "nope") is None
    assert (await _again(turn)).worker.template_id is None


@SQLITE
async def test_a_choice_taken_away_falls_back_to_the_default(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(template_module, "_org_dir", None)
    soap = (template_module.TEMPLATES_DIR / "soap.yaml").read_text()
    (tmp_path / "outreach.yaml").write_text(soap.replace("id: soap", "id: outreach"))
    template_module.configure(tmp_path)
    turn = await _turn(storage)
    assert await templates.choose(turn.deps, turn.worker, "outreach") is not None
    turn = await _again(turn)
    assert await _new_note_template(turn) == "outreach"
    template_module.configure(None)  # the organisation removed it
    assert templates.describe(turn.deps, turn.worker) == (
        "Peer support session (organisation default)"
    )
    assert [o.template_id for o in templates.options(turn.deps, turn.worker) if o.chosen] == [None]
    assert await _new_note_template(turn) == "peer_support"


@SQLITE
async def test_an_open_draft_keeps_the_template_it_started_with(storage: Storage) -> None:
    turn = await _turn(storage)
    await capture.start_note(turn)
    await capture.on_text(turn, "yesterday")
    await templates.choose(turn.deps, turn.worker, "soap")
    turn = await _again(turn)
    reply = await capture.on_text(turn, "3pm")
    assert reply.screens
    draft = await storage.drafts.get(turn.worker.id)
    assert draft is not None
    assert draft.state["engine"]["template_id"] == "peer_support"
    assert draft.state["engine"]["answers"]["start_time"] == "15:00"


def test_the_template_use_cases_import_no_telegram() -> None:
    code = (
        "import sys, bot.service.templates;"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
