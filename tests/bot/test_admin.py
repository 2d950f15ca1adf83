"""Managing workers from the bot: admins only, every change audited with the admin's id,
and being an admin opens no records."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.fakeapi import FakeBotApi
from bot.service.admin import FOR_ADMINS
from storage.service import Storage
from tests.bot.harness import Person, texts, toasts
from tests.bot.team_seed import join, note

COMMANDS = ("/workers", "/invite worker north", "/setteam 2 south", "/setrole 2 supervisor")


async def test_admin_commands_refuse_everyone_else_and_change_nothing(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    sue, _ = await join(storage, api, 7001, "Sue", "supervisor", "north")
    ana, a = await join(storage, api, 7002, "Ana")
    before = await storage.workers.list()
    for who in (ana, sue):
        for command in (*COMMANDS, f"/remove {a.id}"):
            assert texts(await who.say(command)) == [FOR_ADMINS], command
    assert await storage.workers.list() == before
    kinds = {e.kind for e in await storage.audit.entries()}
    assert not kinds & {"worker.team_changed", "worker.role_changed", "worker.removed"}


async def test_an_admin_manages_workers_and_each_change_is_audited(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    ada, d = await join(storage, api, 7001, "Ada", "admin", None)
    assert d.role == "worker" and d.is_admin
    _, s = await join(storage, api, 7002, "Sue", "supervisor", "north")
    _, a = await join(storage, api, 7003, "Ana")
    saved = await note(
        storage,
        a.id,
        datetime(2026, 11, 23, 9, tzinfo=UTC),
        datetime(2026, 11, 23, 10, tzinfo=UTC),
        name="Alex Smith",
    )

    await ada.say("/workers")
    shown = ada.last().plain
    assert shown.startswith("Workers (3)")
    assert f"{d.id} · Ada · worker · admin · team - · active" in shown
    assert f"{a.id} · Ana · worker · team north · active" in shown

    # Bad input: a clear line, nothing changed.
    for command, answer in (
        ("/setteam", "Usage: /setteam ID TEAM"),
        ("/setteam x north", "Usage: /setteam ID TEAM"),
        ("/setteam 999 north", "There is no worker with id 999."),
        (f"/setteam {a.id} <b>", "A team name is up to 64"),
        (f"/setrole {a.id} boss", "Usage: /setrole ID worker|supervisor"),
        (f"/remove {d.id}", "You can't change your own role, team or access"),
        (f"/setrole {d.id} supervisor", "You can't change your own role, team or access"),
        (f"/setteam {d.id} north", "You can't change your own role, team or access"),
        ("/invite boss", "Usage: /invite worker|supervisor|admin"),
    ):
        await ada.say(command)
        assert answer in ada.last().plain, command
    assert (await storage.workers.get(a.id)).team == "north"  # type: ignore[union-attr]
    me = await storage.workers.get(d.id)
    assert me is not None and (me.role, me.team, me.active) == ("worker", None, True)

    await ada.say(f"/setteam {a.id} south")
    assert f"Done: {a.id} · Ana · worker · team south · active" in ada.last().plain
    await ada.say(f"/setrole {a.id} supervisor")
    assert "supervisor · team south" in ada.last().plain
    await ada.say("/invite worker north")
    assert "Invite for a worker (team north), valid 72 hours, once" in ada.last().plain
    [code] = re.findall(r"start[= ]([\w-]+)", ada.last().plain)
    newcomer = Person(api, 7009, "Neo")
    await newcomer.say(f"/start {code}")
    assert "Hello" in newcomer.last().plain
    await ada.say(f"/remove {s.id}")
    assert f"Worker {s.id} removed" in ada.last().plain
    assert await storage.workers.by_telegram_id(7002) is None

    trail = [(e.kind, e.worker_id, e.ref_id) for e in await storage.audit.entries()]
    for kind, ref in (
        ("worker.team_changed", str(a.id)),
        ("worker.role_changed", str(a.id)),
        ("worker.removed", str(s.id)),
    ):
        assert (kind, d.id, ref) in trail
    assert ("invite.created", d.id, None) in trail

    # Admin manages; it does not read: no /team, and a forged review button opens nothing.
    assert texts(await ada.say("/team"))[0].startswith("That command is for supervisors")
    calls = await ada.press(ada.last().message_id, f"rv|{saved.id}")
    assert toasts(calls) == ["That button has expired."]
    assert not any("Alex Smith" in m.text for m in ada.bot_messages())
