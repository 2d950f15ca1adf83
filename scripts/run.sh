#!/usr/bin/env bash
# Set up and run casenotes: a venv with the project, a key file on first run, then the bot
# (when CASENOTES_TELEGRAM_TOKEN is set) or a terminal demo against a local fake Telegram.
set -euo pipefail
cd "$(dirname "$0")/.."

# (Re)install when the venv is new or pyproject.toml changed since the last install.
if [ ! -x .venv/bin/casenotes ] || [ pyproject.toml -nt .venv/.installed ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -e .
  touch .venv/.installed
fi
if [ -f .env ]; then set -a; . ./.env; set +a; fi

KEYS="${CASENOTES_KEYS_FILE:-./data/keys.json}"
if [ ! -f "$KEYS" ]; then
  .venv/bin/casenotes keys new
fi

if [ -n "${CASENOTES_TELEGRAM_TOKEN:-}" ]; then
  exec .venv/bin/casenotes run
else
  exec .venv/bin/casenotes demo
fi
