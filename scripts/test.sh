#!/usr/bin/env bash
# Set up everything the tests need and run them: a venv with the project, and a throwaway
# PostgreSQL server on 127.0.0.1 (started as the `postgres` user, since initdb refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'

PG_BIN=/usr/lib/postgresql/15/bin
if [ -z "${CASENOTES_TEST_POSTGRES_URL:-}" ]; then
  if ! command -v initdb >/dev/null && [ ! -x "$PG_BIN/initdb" ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    else
      echo "PostgreSQL binaries missing and not root: install postgresql" >&2; exit 1
    fi
  fi
  export PATH="$PG_BIN:$PATH"
  PGTMP=$(mktemp -d)
  PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGTMP"
    AS_PG=(runuser -u postgres --)
  else
    AS_PG=()
  fi
  "${AS_PG[@]}" initdb -D "$PGTMP/data" -A trust -U postgres >/dev/null
  "${AS_PG[@]}" pg_ctl -D "$PGTMP/data" -l "$PGTMP/log" -w \
    -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  trap '"${AS_PG[@]}" pg_ctl -D "$PGTMP/data" -m fast stop >/dev/null || true; rm -rf "$PGTMP"' EXIT
  export CASENOTES_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PORT/postgres"
  echo "PostgreSQL on 127.0.0.1:$PORT"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy bot storage conversations
# Bot tests mostly wait on I/O, so more workers than cores pays off; each worker takes whole
# files (loadfile) so a module's fixtures stay in one process. PYTEST_WORKERS=0 runs serially.
.venv/bin/pytest -n "${PYTEST_WORKERS:-4}" --dist loadfile "$@"
