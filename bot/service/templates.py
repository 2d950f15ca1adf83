"""Which template a worker's new notes use, and choosing another in their settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.service.deps import Deps
from conversations.template import Template, all_templates, get_template
from storage.records import WorkerRecord


@dataclass(frozen=True)
class TemplateOption:
    """One template a worker may choose; ``template_id`` None is the organisation default."""

    template_id: str | None
    label: str
    chosen: bool


def _own(worker: WorkerRecord) -> Template | None:
    """The worker's own choice, if they made one and it is still offered."""
    if worker.template_id is None:
        return None
    return all_templates().get(worker.template_id)


def for_new_note(deps: Deps, worker: WorkerRecord) -> Template:
    """Return the template a new note starts on: the worker's choice, else the default.

    A choice whose template has since been taken away falls back to the default, so the
    worker can still take notes; their open drafts and saved notes keep their own template.
    """
    return _own(worker) or get_template(deps.template_id)


def describe(deps: Deps, worker: WorkerRecord) -> str:
    """Name the template new notes use, saying when it is the organisation default."""
    own = _own(worker)
    if own is not None:
        return own.title
    return f"{get_template(deps.template_id).title} (organisation default)"


def options(deps: Deps, worker: WorkerRecord) -> tuple[TemplateOption, ...]:
    """List the organisation default and every template, the one in use marked."""
    own = _own(worker)
    default = TemplateOption(
        None,
        f"Organisation default ({get_template(deps.template_id).title})",
        own is None,
    )
    return (
        default,
        *(
            TemplateOption(t.id, t.title, own is not None and t.id == own.id)
            for t in all_templates().values()
        ),
    )


async def choose(deps: Deps, worker: WorkerRecord, template_id: str | None) -> WorkerRecord | None:
    """Save the worker's choice (None: the default); None if no such template is offered."""
    if template_id is not None and template_id not in all_templates():
        return None
    return await deps.storage.workers.update_settings(worker.id, template_id=template_id)
