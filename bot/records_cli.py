"""`casenotes export` and `casenotes participants`: records from the command line, for the
operator who holds the key. The file written is the one asked for: created 0600, never
over an existing file unless --force, never through a symlink."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import fail, settings, with_storage
from bot.exports.document import FORMATS, note_views, record_document
from storage.service import Storage

participants_app: typer.Typer = typer.Typer(
    help="Participants and their records.", no_args_is_help=True
)
OPERATOR = "casenotes export (operator)"


def write_private(path: Path, content: bytes, force: bool) -> None:
    """Write ``content`` to a new file only its owner can read."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_TRUNC if force else os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise fail(f"{path} exists; choose another name or pass --force") from None
    except OSError as exc:
        raise fail(f"cannot write {path} ({exc.strerror})") from None
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.chmod(path, 0o600)


def export(
    participant: Annotated[
        str, typer.Option(help="The participant's id (see `participants list`).")
    ],
    out: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="pdf, docx or txt.")] = "pdf",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Export a participant's whole record (every note and addendum) to a file."""
    from bot.exports.formats import export as render

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}")
    cfg = settings()

    async def _build(st: Storage) -> tuple[bytes, int] | None:
        owner = await st.participants.owner_of(participant)
        if owner is None:
            return None
        person = await st.participants.get(owner, participant)
        notes = await st.notes.whole_record(owner, participant)
        if person is None:
            return None
        views = note_views(
            notes,
            await st.addenda.for_notes([n.id for n in notes]),
            authors={w.id: w.display_name for w in await st.workers.list()},
            tz=cfg.default_timezone,
            intact=st.notes.intact,
        )
        doc = record_document(
            person, views, exported_by=OPERATOR, now=_now(), tz=cfg.default_timezone
        )
        await st.audit.record(
            "record.exported", None, participant, participant_id=participant, actor=OPERATOR
        )
        return render(doc, fmt).content, len(views)

    built = with_storage(_build, cfg)
    if built is None:
        raise fail(f"no participant with id {participant}")
    content, sessions = built
    write_private(out, content, force)
    typer.echo(
        f"wrote {out} ({fmt}, {sessions} sessions, mode 600); it holds case notes: keep "
        "it safe and delete it when done"
    )


def _now() -> datetime:
    return datetime.now(UTC)


@participants_app.command("list")
def participants_list(
    worker: Annotated[int, typer.Option(help="The worker whose participants to list.")],
    search: Annotated[str, typer.Option(help="Only names with these words.")] = "",
) -> None:
    """List a worker's participants: id, last session, name."""

    async def _list(st: Storage) -> list[tuple[str, str, str]]:
        if search.strip():
            people = await st.participants.find_by_words(worker, search)
        else:
            people = list((await st.participants.page(worker, 0, 10_000)).items)
        return [
            (
                p.id,
                f"{p.last_session_at:%Y-%m-%d}" if p.last_session_at else "-",
                p.name,
            )
            for p in people
        ]

    rows = with_storage(_list)
    if not rows:
        typer.echo("no participants found")
    for pid, last, name in rows:
        typer.echo(f"{pid}  {last:<10}  {name}")


# The rights commands (subject access export, erasure, retention) live in their own module.
from bot import rights_cli  # noqa: E402
from bot.cli import app  # noqa: E402

participants_app.command("export")(rights_cli.export)
participants_app.command("erase")(rights_cli.erase)
app.add_typer(rights_cli.retention_app, name="retention")
