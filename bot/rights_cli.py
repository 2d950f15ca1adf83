"""Participants' rights from the command line: `participants export` (a subject access
request, as PDF and JSON), `participants erase`, and `retention report` / `retention apply`.

Erasing asks the operator to type what it names (the participant's id, or the number of
records), so a slip of the hand or a pasted wrong line changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import actor, fail, settings, with_storage
from bot.exports.document import note_views, record_document
from bot.records_cli import write_private
from bot.subject_access import as_json, with_status
from storage.repositories.erasure import DueRecord, ErasureCounts, RecordMoved
from storage.service import Storage

retention_app: typer.Typer = typer.Typer(
    help="Records past the retention period.", no_args_is_help=True
)


def _now() -> datetime:
    return datetime.now(UTC)


def export(
    participant: Annotated[str, typer.Argument(help="The participant's id.")],
    out: Annotated[Path, typer.Option(help="The folder to write the two files into.")] = Path("."),
) -> None:
    """Write a participant's whole record (subject access request) as a PDF and a JSON file."""
    from bot.exports.pdf import to_pdf

    cfg = settings()
    if not out.is_dir():
        raise fail(f"{out} is not a folder")
    who, now = actor(), _now()

    async def _export(st: Storage) -> list[Path] | None:
        owner = await st.participants.owner_of(participant)
        person = None if owner is None else await st.participants.get(owner, participant)
        if owner is None or person is None:
            return None
        notes = await st.notes.whole_record(owner, participant)
        addenda = await st.addenda.for_notes([n.id for n in notes])
        reviews = await st.reviews.for_notes(n.id for n in notes)
        views = note_views(
            notes,
            addenda,
            authors={w.id: w.display_name for w in await st.workers.list()},
            tz=cfg.default_timezone,
            intact=st.notes.intact,
        )
        views = with_status(views, notes, reviews, cfg.default_timezone)
        doc = record_document(person, views, exported_by=who, now=now, tz=cfg.default_timezone)
        data = as_json(person, doc, notes, addenda, reviews, exported_by=who, now=now)
        stem = out / f"subject-access-{participant}-{now:%Y-%m-%d}"
        paths = [stem.with_suffix(".pdf"), stem.with_suffix(".json")]
        for path in paths:
            if path.exists() or path.is_symlink():
                raise fail(f"{path} exists; move it away or choose another --out")
        for path, content in zip(paths, (to_pdf(doc), data), strict=True):
            write_private(path, content, force=False)
        await st.audit.record(
            "participant.exported", None, participant, participant_id=participant, actor=who
        )
        return paths

    paths = with_storage(_export, cfg)
    if paths is None:
        raise fail(f"no participant with id {participant}")
    for path in paths:
        typer.echo(str(path))
    typer.echo("these files hold case notes (mode 600): keep them safe and delete them when done")


def _confirmed(expected: str, given: str | None, prompt: str) -> bool:
    """True if the operator typed (or passed with --confirm) exactly ``expected``."""
    if given is None:
        given = typer.prompt(prompt, default="", show_default=False)
    return given.strip() == expected


def erase(
    participant: Annotated[str, typer.Argument(help="The participant's id.")],
    confirm: Annotated[
        str | None, typer.Option(help="The participant's id again, for scripts (no prompt).")
    ] = None,
) -> None:
    """Erase a participant's content everywhere, after a typed confirmation."""
    who = actor()

    async def _erase(st: Storage) -> ErasureCounts | None:
        planned = await st.erasure.plan(participant)
        if planned is None:
            raise fail(f"no participant with id {participant}")
        owner, counts = planned
        typer.echo(f"participant {participant} (worker {owner}): {counts.summary()}")
        typer.echo("will be erased for good; the audit trail keeps that it happened (ids only)")
        if not _confirmed(participant, confirm, "Type the participant's id to erase"):
            raise fail("the confirmation did not match the participant's id; nothing was erased")
        try:
            gone = await st.erasure.erase(participant, actor=who, reason="request")
        except RecordMoved as exc:
            raise fail(f"{exc}; nothing was erased") from None
        if gone is not None:
            _warn(await st.erasure.scrub())
        return gone

    gone = with_storage(_erase)
    if gone is None:
        raise fail(f"no participant with id {participant}; nothing was erased")
    typer.echo(f"erased participant {participant}: {gone.summary()}")


def _warn(problem: str | None) -> None:
    if problem:
        typer.secho(f"note: {problem}", err=True, fg=typer.colors.YELLOW)


def _cutoff(years: int, now: datetime) -> datetime:
    """The same day ``years`` ago (28 Feb for 29 Feb)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return (now - timedelta(days=1)).replace(year=now.year - years)


def _due(years: int) -> list[DueRecord]:
    async def _list(st: Storage) -> list[DueRecord]:
        return await st.erasure.due(_cutoff(years, _now()))

    return with_storage(_list)


@retention_app.command("report")
def retention_report() -> None:
    """List records past the retention period: participant id, worker, last session, notes."""
    years = settings().retention_years
    due = _due(years)
    if not due:
        typer.echo(f"no records are due (retention: {years} years after the last session)")
        return
    typer.echo(f"{'participant':<32}  {'worker':>6}  {'last session':<12}  notes")
    for r in due:
        last = f"{r.last_session:%Y-%m-%d}" if r.last_session else f"none ({r.created:%Y-%m-%d})"
        typer.echo(f"{r.participant_id:<32}  {r.worker_id:>6}  {last:<12}  {r.notes}")
    typer.echo(f"{len(due)} records are due (retention: {years} years after the last session)")


@retention_app.command("apply")
def retention_apply(
    confirm: Annotated[
        int | None, typer.Option(help="The number of due records, for scripts (no prompt).")
    ] = None,
) -> None:
    """Erase every record past the retention period, after a typed confirmation."""
    years = settings().retention_years
    who = actor()

    async def _apply(st: Storage) -> tuple[int, int]:
        cutoff = _cutoff(years, _now())
        due = await st.erasure.due(cutoff)
        if not due:
            return 0, 0
        typer.echo(f"{len(due)} records are past the retention period ({years} years)")
        given = None if confirm is None else str(confirm)
        if not _confirmed(str(len(due)), given, "Type the number of records to erase them"):
            raise fail("the confirmation did not match the number of records; nothing was erased")
        erased = notes = 0
        for r in due:
            try:
                gone = await st.erasure.erase(
                    r.participant_id, actor=who, reason="retention", due_before=cutoff
                )
            except RecordMoved:
                _warn(f"{r.participant_id} skipped: their record was being written to")
                continue
            erased, notes = erased + (gone is not None), notes + (gone.notes if gone else 0)
        _warn(await st.erasure.scrub())
        return erased, notes

    records, notes = with_storage(_apply)
    if not records:
        typer.echo(f"no records are due (retention: {years} years after the last session)")
        return
    typer.echo(f"erased {records} records ({notes} notes)")
