"""docker-compose.yml and the Dockerfile, checked by reading them (docker is not installed here).

These are structural checks against what `docker compose config` would need and what the issue
asks for; the file is not validated against the compose-spec JSON schema (no copy of it ships
with the project). The bot's health check is run for real against real databases.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from storage.crypto import KeyRing, write_key_ring

ROOT = Path(__file__).resolve().parent.parent
SECRET_WORDS = re.compile(r"PASSWORD|TOKEN|SECRET|KEY", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_services_database_and_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"bot", "db"}
    db = services["db"]
    assert re.fullmatch(r"postgres:16(\.\d+)*(-[\w.]+)?", db["image"])
    volumes = [v.split(":")[0] for v in db["volumes"]]
    assert "pgdata" in volumes and "pgdata" in compose["volumes"]
    assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_bot_waits_for_a_healthy_database(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")


def test_secrets_are_files_declared_and_used(compose: dict[str, Any]) -> None:
    declared = compose["secrets"]
    for name, spec in declared.items():
        assert set(spec) == {"file"}, name
        assert spec["file"].startswith("./secrets/")
    services = compose["services"]
    used = {s for svc in services.values() for s in svc.get("secrets", [])}
    assert used == set(declared)
    bot_env = _env(services["bot"])
    for var in ("TELEGRAM_TOKEN_FILE", "DATABASE_PASSWORD_FILE"):
        path = bot_env[f"CASENOTES_{var}"]
        assert path.startswith("/run/secrets/")
        assert path.removeprefix("/run/secrets/") in services["bot"]["secrets"]
    db_env = _env(services["db"])
    assert (
        db_env["POSTGRES_PASSWORD_FILE"].removeprefix("/run/secrets/") in services["db"]["secrets"]
    )


def test_the_key_file_is_in_a_mounted_folder_so_rotation_reaches_the_bot(
    compose: dict[str, Any],
) -> None:
    """A Docker secret is a single-file bind mount: after `keys rotate` replaces the file on
    the host, the container keeps seeing the old one. The folder is mounted instead."""
    bot = compose["services"]["bot"]
    keys = Path(_env(bot)["CASENOTES_KEYS_FILE"])
    mounts = dict(v.split(":")[:2][::-1] for v in bot["volumes"])
    assert mounts[str(keys.parent)] == "./secrets"
    assert keys.name == "keys.json"  # what `casenotes init --compose` writes there
    assert not any("keys" in str(spec) for spec in compose["secrets"].values())


def test_no_secret_in_environment(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for var, value in _env(service).items():
            if SECRET_WORDS.search(var):
                assert var.endswith("_FILE"), f"{name}: {var} holds a secret in plain text"
            assert "${" not in value or not SECRET_WORDS.search(value), (name, var)
        url = _env(service).get("CASENOTES_DATABASE_URL", "")
        assert not re.search(r"//[^/@]*:[^/@]*@", url), "a password in the database URL"


def test_start_up_faults_do_not_restart_forever(compose: dict[str, Any]) -> None:
    restart = str(compose["services"]["bot"]["restart"])
    # Docker restarts unless-stopped/always on any exit; on-failure:N gives up after N tries.
    assert re.fullmatch(r"on-failure:\d+", restart), restart


def test_image_installs_the_lock() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile and "-c requirements.lock" in dockerfile
    pins = [
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert pins and all(re.fullmatch(r"[a-z0-9._-]+==[\w.+!-]+", p) for p in pins), pins
    locked = dict(p.split("==") for p in pins)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:  # a dependency added without relocking fails here
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in locked, f"{name} is not in requirements.lock: run lock_requirements.py"
        assert req.specifier.contains(locked[name]), f"{name}=={locked[name]} breaks {line}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "secrets" in ignored and ".env" in ignored


def _healthcheck(compose: dict[str, Any], env: dict[str, str], cwd: Path) -> int:
    test = compose["services"]["bot"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CASENOTES_")}
    return subprocess.run(
        [sys.executable, *test[2:]],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        timeout=60,
    ).returncode


def test_bot_healthcheck_opens_the_database(compose: dict[str, Any], tmp_path: Path) -> None:
    write_key_ring(tmp_path / "keys.json", KeyRing.generate(), overwrite=False)
    base = {"CASENOTES_KEYS_FILE": str(tmp_path / "keys.json")}
    good = {**base, "CASENOTES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db"}
    assert _healthcheck(compose, good, tmp_path) == 0
    (tmp_path / "pw").write_text("wrong\n")
    unreachable = {
        **base,
        "CASENOTES_DATABASE_URL": "postgresql+asyncpg://casenotes@127.0.0.1:1/casenotes",
        "CASENOTES_DATABASE_PASSWORD_FILE": str(tmp_path / "pw"),
    }
    assert _healthcheck(compose, unreachable, tmp_path) != 0
    admin = os.environ.get("CASENOTES_TEST_POSTGRES_URL")
    if admin:  # the test server trusts loopback, so this proves the URL survives the password
        (tmp_path / "pw").write_text("p@ss/w:rd#?%&é\n")
        as_compose = {**unreachable, "CASENOTES_DATABASE_URL": admin}
        assert _healthcheck(compose, as_compose, tmp_path) == 0


def test_secrets_from_files_are_read_and_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.engine import make_url

    from bot.settings import Settings

    for key in list(os.environ):
        if key.startswith("CASENOTES_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    password = "p@ss:w/rd%#?&é"
    (tmp_path / "db_password").write_text(password + "\n")
    (tmp_path / "telegram_token").write_text("123:abc\n")
    monkeypatch.setenv(
        "CASENOTES_DATABASE_URL", "postgresql+asyncpg://casenotes@db:5432/casenotes"
    )
    monkeypatch.setenv("CASENOTES_DATABASE_PASSWORD_FILE", str(tmp_path / "db_password"))
    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN_FILE", str(tmp_path / "telegram_token"))
    cfg = Settings()
    url = make_url(cfg.database_url)
    assert (url.password, url.host, url.database) == (password, "db", "casenotes")
    assert cfg.telegram_token is not None and cfg.telegram_token.get_secret_value() == "123:abc"


def test_secret_file_faults_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    for key in list(os.environ):
        if key.startswith("CASENOTES_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)

    def run() -> tuple[int, str]:
        result = CliRunner().invoke(app, ["db", "upgrade"])
        return result.exit_code, result.output

    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN_FILE", str(tmp_path / "missing"))
    code, out = run()
    assert code == 1 and "CASENOTES_TELEGRAM_TOKEN_FILE" in out and "cannot read" in out
    (tmp_path / "token").write_text("123:secret-token\n")
    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN", "123:other")
    code, out = run()
    assert code == 1 and "not both" in out and "secret-token" not in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    monkeypatch.delenv("CASENOTES_TELEGRAM_TOKEN")
    (tmp_path / "pw").write_text("x\n")
    monkeypatch.setenv("CASENOTES_DATABASE_PASSWORD_FILE", str(tmp_path / "pw"))
    monkeypatch.setenv("CASENOTES_DATABASE_URL", "postgresql+asyncpg://u:inline@db/casenotes")
    code, out = run()
    assert code == 1 and "already holds a password" in out and "inline" not in out


def test_compose_start_without_a_key_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`docker compose up` before the key exists: one line, exit 1 (on-failure:3 then stops)."""
    from typer.testing import CliRunner

    from bot.cli import app

    for key in list(os.environ):
        if key.startswith("CASENOTES_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "telegram_token").write_text("123456:never-printed-token\n")
    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN_FILE", str(tmp_path / "telegram_token"))
    monkeypatch.setenv("CASENOTES_KEYS_FILE", str(tmp_path / "keys"))
    monkeypatch.setenv("CASENOTES_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/c.db")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "key file" in lines[0] and "does not exist" in lines[0]
    assert "never-printed-token" not in result.output
    assert not (tmp_path / "c.db").exists()  # nothing touched before the key is there
