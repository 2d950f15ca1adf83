"""`casenotes run` as a child process that a test can kill -9 and start again, quickly.

Importing the bot costs a couple of CPU seconds, too much to pay at every one of many restarts,
so a small parent process imports it once and forks a child per start (as pre-forking servers
do): each child runs the real `casenotes run` command, settings from the environment and all,
in its own process, which is what gets SIGKILL. The parent only forks and reaps; it starts no
threads or event loop, so forking it is safe.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from bot.fakeapi import FakeBotApi

PARENT = """
import os, sys, traceback
from bot.cli import app
import bot.service.deps, bot.telegram.app, bot.telegram.runner, conversations.template
import storage.migrate, storage.service, alembic.command, aiosqlite, telegram.ext
import telegram.ext._aioratelimiter, apscheduler.schedulers.asyncio

def child():
    os.dup2(2, 1)
    code = 1
    try:
        app(["run"], prog_name="casenotes")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)

for line in sys.stdin:
    word, _, arg = line.strip().partition(" ")
    if word == "go":
        pid = os.fork()
        if pid == 0:
            child()
        print(pid, flush=True)
    elif word == "wait":
        _, status = os.waitpid(int(arg), 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
"""


class BotProcess:
    """The real bot as its own process, polling ``api``; every run logs to ``log``."""

    def __init__(self, api: FakeBotApi, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.api = api
        self.log: IO[bytes] = log.open("ab")
        self.parent = subprocess.Popen(
            [sys.executable, "-c", PARENT],
            env={**os.environ, **env},
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.pid: int | None = None
        self.starts = 0

    async def _ask(self, line: str) -> int:
        """Send the parent one command; its one-line answer, as a number."""
        stdin, stdout = self.parent.stdin, self.parent.stdout
        assert stdin is not None and stdout is not None
        stdin.write(f"{line}\n".encode())
        stdin.flush()
        answer = await asyncio.to_thread(stdout.readline)
        assert answer, "the parent process is gone"
        return int(answer)

    def _commands_set(self) -> int:
        return sum(c.method == "setMyCommands" for c in self.api.calls)

    async def start(self, within: float = 60.0) -> None:
        """Start the bot; return once it is about to poll (its last call before polling)."""
        assert self.pid is None, "already running"
        before = self._commands_set()
        self.pid = await self._ask("go")
        self.starts += 1
        deadline = time.monotonic() + within
        while self._commands_set() == before:
            assert time.monotonic() < deadline, "the bot did not start"
            await asyncio.sleep(0.02)

    async def kill(self) -> int:
        """SIGKILL: no shutdown code runs, whatever the bot was doing; returns the status."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        return await self._reap()

    async def stop(self) -> int:
        """SIGTERM, a clean shutdown; returns the exit code."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGTERM)
        return await self._reap()

    async def _reap(self) -> int:
        pid, self.pid = self.pid, None
        return await self._ask(f"wait {pid}")

    def close(self) -> None:
        """Kill what this object started (the child by its pid, then the parent)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None
        if self.parent.stdin is not None:
            self.parent.stdin.close()
        try:
            self.parent.wait(10)
        except subprocess.TimeoutExpired:
            self.parent.kill()
            self.parent.wait()
        self.log.close()
