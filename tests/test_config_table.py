"""The README's configuration table is the one scripts/config_table.py renders from Settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("config_table", ROOT / "scripts/config_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_matches_settings() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text()
    assert script.current(readme) == script.render(), (
        "README.md's configuration table is out of date: run .venv/bin/python "
        "scripts/config_table.py"
    )


def test_every_setting_is_in_the_table_with_a_description() -> None:
    table = _script().render()
    for name in Settings.model_fields:
        row = next(line for line in table.splitlines() if f"`CASENOTES_{name.upper()}`" in line)
        assert not row.rstrip().endswith("|  |"), f"{name} has no #: comment in bot/settings.py"
