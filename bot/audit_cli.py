"""`casenotes audit`: check the hash-chained audit trail and list its entries.

Entries hold ids and kinds, never content, so listing them is safe on an operator's screen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli import fail, with_storage
from storage.audit_chain import ChainReport
from storage.repositories.audit import AuditEntry
from storage.service import Storage

audit_app: typer.Typer = typer.Typer(help="The audit trail.", no_args_is_help=True)


def _logged(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise fail("--head wants ENTRY:HASH as the log prints it, e.g. 1234:9f86d0...")
    return int(seq), digest.lower()


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        str | None,
        typer.Option(
            help="A head from the log ('audit chain head: entry N, hash H' as N:H): "
            "also catches the newest entries being cut off."
        ),
    ] = None,
) -> None:
    """Check every entry against the one before it; name the first that was edited,
    removed or moved. Exit code 1 if the chain is broken."""
    logged = _logged(head)

    async def _verify(st: Storage) -> ChainReport:
        return await st.audit.verify(logged)

    report = with_storage(_verify)
    if not report.ok:
        typer.echo(f"BROKEN at entry {report.broken_at}: {report.reason}")
        typer.echo(f"{report.checked} entries before it are intact")
        raise typer.Exit(code=1)
    typer.echo(f"audit chain intact: {report.checked} entries")
    typer.echo(f"head: entry {report.head_seq}, hash {report.head_hash}")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"--since wants a date like 2026-11-01 or 2026-11-01T09:00, not {value!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _line(e: AuditEntry) -> str:
    who = f"worker {e.worker_id}" if e.worker_id is not None else (e.actor or "system")
    about = f" participant {e.participant_id}" if e.participant_id else ""
    ref = f" {e.ref_id}" if e.ref_id else ""
    return f"{e.seq:>7}  {e.at:%Y-%m-%d %H:%M:%S}Z  {who:<16} {e.kind:<24}{ref}{about}"


@audit_app.command("show")
def audit_show(
    participant: Annotated[
        str | None, typer.Option(help="Only entries about this participant id.")
    ] = None,
    worker: Annotated[int | None, typer.Option(help="Only entries by this worker id.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only entries from this date or time (UTC).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries.")] = 1000,
) -> None:
    """List entries in order: when, who, what, which record."""
    start = _since(since)

    async def _show(st: Storage) -> list[AuditEntry]:
        return await st.audit.entries(
            participant_id=participant, worker_id=worker, since=start, limit=limit
        )

    entries = with_storage(_show)
    if not entries:
        typer.echo("no audit entries match")
    for entry in entries:
        typer.echo(_line(entry))
