"""The `casenotes` command as an operator uses it: one readable line on every failure."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from conversations import template as template_module


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("CASENOTES_") and key != "CASENOTES_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("CASENOTES_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/c.db")
    monkeypatch.setenv("CASENOTES_KEYS_FILE", str(tmp_path / "keys.json"))
    return tmp_path


def run(*args: str, typed: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=typed)
    return result.exit_code, result.output


def test_keys_new_check_rotate(env: Path) -> None:
    code, out = run("keys", "new")
    assert code == 0 and stat.S_IMODE((env / "keys.json").stat().st_mode) == 0o600
    code, out = run("keys", "new")
    assert code == 1 and "refusing to overwrite" in out
    assert run("workers", "invite")[0] == 0
    code, out = run("keys", "check")
    assert code == 0 and "all values decrypt" in out
    code, out = run("keys", "rotate")
    assert code == 0 and "rotation complete" in out and "re-encrypted" in out
    code, out = run("keys", "check")
    assert code == 0 and out.count("(primary)") == 1


def test_operator_faults_are_one_line(env: Path) -> None:
    code, out = run("db", "upgrade")
    assert code == 1 and "does not exist" in out and "Traceback" not in out
    run("keys", "new")
    os.chmod(env / "keys.json", 0o644)
    code, out = run("db", "upgrade")
    assert code == 1 and "chmod 600" in out
    os.chmod(env / "keys.json", 0o600)
    assert run("db", "upgrade")[0] == 0
    (env / "keys.json").unlink()
    run("keys", "new")
    code, out = run("workers", "list")
    assert code == 1 and "does not match this database" in out
    os.environ["CASENOTES_DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    code, out = run("workers", "list")
    assert code == 1 and "cannot reach the database" in out
    assert len(out.strip().splitlines()) == 1


def test_workers_invite_list_remove(env: Path) -> None:
    run("keys", "new")
    code, out = run("workers", "invite", "--role", "supervisor", "--team", "north")
    assert code == 0 and "/start " in out and "72 hours" in out
    code, out = run("workers", "invite", "--role", "boss")
    assert code == 1 and "role must be" in out
    code, out = run("workers", "list")
    assert "no workers yet" in out
    code, out = run("workers", "remove", "99")
    assert code == 1 and "no worker with id 99" in out


def test_run_without_a_token_points_to_the_demo(env: Path) -> None:
    run("keys", "new")
    code, out = run("run")
    assert code == 1 and "casenotes demo" in out


def test_bad_setting_is_named(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASENOTES_DEFAULT_TIMEZONE", "Mars/Olympus")
    code, out = run("keys", "check")
    assert code == 1 and "CASENOTES_DEFAULT_TIMEZONE" in out and "Mars/Olympus" in out


@pytest.fixture
def org(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An organisation templates folder holding 'outreach' (SOAP with its own first question)."""
    monkeypatch.setattr(template_module, "_org_dir", None)  # put back after the test
    folder = env / "templates"
    folder.mkdir()
    soap = (template_module.TEMPLATES_DIR / "soap.yaml").read_text()
    (folder / "outreach.yaml").write_text(
        soap.replace("id: soap", "id: outreach").replace(
            "When was the session?", "When did you meet them?"
        )
    )
    monkeypatch.setenv("CASENOTES_TEMPLATES_DIR", str(folder))
    telegram = logging.getLogger("telegram")
    level = telegram.level
    yield folder
    telegram.setLevel(level)  # the demo quietens it; other tests read its records


def test_unknown_default_template_is_named(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASENOTES_DEFAULT_TEMPLATE", "soap_v2")
    code, out = run("keys", "new")
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert out.strip() == (
        "casenotes: bad setting CASENOTES_DEFAULT_TEMPLATE: no template called 'soap_v2' "
        "(there are: birp, dap, peer_support, soap)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id: mine\nversion: 1\nsections:\n  - key: s\n    title: S\n    fields:\n"
            "      - {key: when, type: foo, prompt: When}\n",
            "mytemplate.yaml: field 'when': type 'foo' is not one of text, longtext",
        ),
        ("id: soap\nversion: 1\nsections: []\n", "mytemplate.yaml: top level: id 'soap' is"),
    ],
)
def test_a_broken_organisation_template_stops_start_up_in_one_line(
    org: Path, text: str, message: str
) -> None:
    (org / "mytemplate.yaml").write_text(text)
    for command in (("demo",), ("run",), ("keys", "new")):
        code, out = run(*command)
        assert code == 1 and len(out.strip().splitlines()) == 1, out
        assert out.startswith("casenotes: bad setting CASENOTES_TEMPLATES_DIR: " + message)


def test_a_missing_templates_folder_is_named(org: Path) -> None:
    code, out = run("keys", "new")
    assert code == 0
    os.environ["CASENOTES_TEMPLATES_DIR"] = str(org / "nope")
    code, out = run("demo")
    assert code == 1 and "CASENOTES_TEMPLATES_DIR" in out and "nope: not a folder" in out


def test_the_demo_starts_notes_on_the_organisation_default(
    org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("keys", "new")
    monkeypatch.setenv("CASENOTES_DEFAULT_TEMPLATE", "outreach")
    code, out = run("demo", typed="/new\n/quit\n")
    assert code == 0, out
    assert "When did you meet them?" in out and "When was the session?" not in out
