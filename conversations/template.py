"""Load and validate a template file into frozen dataclasses; errors name file, field and fault."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conversations.draft import NoteDraft

TEMPLATES_DIR = Path(__file__).parent / "templates"
ARCHIVE = "archive"
FIELD_TYPES = (
    "text",
    "longtext",
    "choice",
    "multichoice",
    "yesno",
    "date",
    "time",
    "duration",
    "integer",
    "rating",
    "participant",
    "group",
    "pronouns",
)
ROLES = (
    "session_date",
    "start_time",
    "duration",
    "participant",
    "actions",
    "next_date",
    "next_time",
    "summary",
    "concerns",
)
TOKEN = re.compile(r"^[a-z0-9_]{1,24}$")


class TemplateError(Exception):
    """A template file is malformed; the message says where and what."""


@dataclass(frozen=True)
class Choice:
    token: str
    label: str


@dataclass(frozen=True)
class Condition:
    """The field applies only when another field's answer is (or is not) one of ``values``."""

    field: str
    values: tuple[str | None, ...]
    negate: bool = False

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.field)
        if value == []:
            value = None  # nothing ticked is no answer, as far as conditions go
        hit = (
            value in self.values
            if not isinstance(value, list)
            else bool(set(value) & set(self.values))
        )
        return hit != self.negate


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    prompt: str
    label: str
    section: str = ""
    help: str = ""
    required: bool = True
    choices: tuple[Choice, ...] = ()
    max_length: int = 500
    minimum: int | None = None
    maximum: int | None = None
    when: Condition | None = None
    dates: str = "past"
    default: str | None = None
    fields: tuple[Field, ...] = ()
    max_items: int = 20
    #: A text field whose answer may be typed on this (multichoice) field's screen; it becomes
    #: optional once a choice is ticked.
    with_text: str | None = None
    #: An earlier sibling sub-field on whose screen this one is asked too ('29, they/them').
    asked_with: str | None = None
    #: A short name for buttons (the review's edit buttons); the label when not set.
    short: str | None = None

    def choice_label(self, token: str) -> str:
        return next((c.label for c in self.choices if c.token == token), token)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class ConsentRule:
    """When ``field`` is answered ``declined``, only the ``keep`` fields are recorded."""

    field: str
    declined: str
    keep: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    roles: dict[str, str] = field(default_factory=dict)
    consent: ConsentRule | None = None

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def section_of(self, key: str) -> int:
        return next(i for i, s in enumerate(self.sections) if any(f.key == key for f in s.fields))


def _scalar(value: Any) -> str | None:
    """YAML reads a bare yes/no as a boolean; our yes/no answers are the strings."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return None if value is None else str(value)


class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, what: str) -> TemplateError:
        return TemplateError(f"{self.source}: {where}: {what}")

    def need(self, data: dict[str, Any], key: str, where: str, kind: type = str) -> Any:
        if key not in data:
            raise self.fail(where, f"'{key}' is missing")
        if not isinstance(data[key], kind):
            raise self.fail(where, f"'{key}' should be a {kind.__name__}")
        return data[key]

    def field(self, data: Any, section: str, parent: str = "") -> Field:
        if not isinstance(data, dict):
            raise self.fail(f"section '{section}'", "each field should be a mapping")
        key = self.need(data, "key", f"section '{section}'")
        where = f"field '{parent}{key}'"
        if not TOKEN.match(key):
            raise self.fail(where, "key should be lower-case letters, digits or _ (max 24)")
        ftype = self.need(data, "type", where)
        if ftype not in FIELD_TYPES:
            raise self.fail(where, f"type '{ftype}' is not one of {', '.join(FIELD_TYPES)}")
        unknown = set(data) - {
            "key",
            "type",
            "prompt",
            "label",
            "help",
            "required",
            "choices",
            "max_length",
            "min",
            "max",
            "when",
            "dates",
            "default",
            "fields",
            "max_items",
            "with_text",
            "asked_with",
            "short",
        }
        if unknown:
            raise self.fail(where, f"unknown setting(s): {', '.join(sorted(unknown))}")
        choices = tuple(self.choice(c, where) for c in data.get("choices", []))
        if ftype in ("choice", "multichoice") and not choices:
            raise self.fail(where, f"a {ftype} field needs choices")
        if len({c.token for c in choices}) != len(choices):
            raise self.fail(where, "choice tokens must be unique")
        subs = tuple(self.field(f, section, f"{key}.") for f in data.get("fields", []))
        if ftype in ("group", "participant") and not subs:
            raise self.fail(where, f"a {ftype} field needs sub-fields under 'fields'")
        for i, sub in enumerate(subs):
            if sub.asked_with and sub.type != "pronouns":
                raise self.fail(f"field '{key}.{sub.key}'", "'asked_with' is for pronouns")
            if sub.asked_with and sub.asked_with not in {s.key for s in subs[:i]}:
                raise self.fail(
                    f"field '{key}.{sub.key}'", "'asked_with' should name an earlier sub-field"
                )
        if "with_text" in data and ftype != "multichoice":
            raise self.fail(where, "'with_text' is for a multichoice field")
        if ftype == "integer" and ("min" not in data or "max" not in data):
            raise self.fail(where, "an integer field needs 'min' and 'max'")
        if data.get("dates", "past") not in ("past", "future", "any"):
            raise self.fail(where, "'dates' should be past, future or any")
        return Field(
            key=key,
            type=ftype,
            prompt=self.need(data, "prompt", where),
            label=data.get("label") or key.replace("_", " ").capitalize(),
            section=section,
            help=data.get("help", ""),
            required=bool(data.get("required", True)),
            choices=choices,
            max_length=int(data.get("max_length", 3500 if ftype == "longtext" else 500)),
            minimum=data.get("min", 1 if ftype == "rating" else None),
            maximum=data.get("max", 10 if ftype == "rating" else None),
            when=self.condition(data["when"], where) if "when" in data else None,
            dates=data.get("dates", "past"),
            default=data.get("default"),
            fields=subs,
            max_items=int(data.get("max_items", 20)),
            with_text=data.get("with_text"),
            asked_with=data.get("asked_with"),
            short=data.get("short"),
        )

    def choice(self, data: Any, where: str) -> Choice:
        if isinstance(data, str):
            data = {
                "token": re.sub(r"[^a-z0-9]+", "_", data.lower()).strip("_")[:24],
                "label": data,
            }
        if not isinstance(data, dict) or "token" not in data or "label" not in data:
            raise self.fail(where, "each choice needs a token and a label")
        if not TOKEN.match(str(data["token"])):
            raise self.fail(where, f"choice token '{data['token']}' should be a-z, 0-9 or _")
        return Choice(str(data["token"]), str(data["label"]))

    def condition(self, data: Any, where: str) -> Condition:
        if not isinstance(data, dict) or "field" not in data or not ({"is", "is_not"} & set(data)):
            raise self.fail(where, "'when' needs 'field' and 'is' or 'is_not'")
        negate = "is_not" in data
        values = data["is_not" if negate else "is"]
        values = tuple(_scalar(v) for v in (values if isinstance(values, list) else [values]))
        return Condition(str(data["field"]), values, negate)

    def template(self, data: Any) -> Template:
        if not isinstance(data, dict):
            raise self.fail("top level", "expected a mapping with id, version and sections")
        tid = self.need(data, "id", "top level")
        if not TOKEN.match(tid):
            raise self.fail("top level", "id should be lower-case letters, digits or _ (max 24)")
        version = self.need(data, "version", "top level", int)
        sections = []
        for s in self.need(data, "sections", "top level", list):
            if not isinstance(s, dict):
                raise self.fail("sections", "each section should be a mapping")
            skey = self.need(s, "key", "section")
            fields = tuple(
                self.field(f, skey) for f in self.need(s, "fields", f"section '{skey}'", list)
            )
            sections.append(Section(skey, self.need(s, "title", f"section '{skey}'"), fields))
        tpl = Template(tid, version, data.get("title", tid), tuple(sections))
        keys = [f.key for f in tpl.fields]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise self.fail(f"field '{sorted(dupes)[0]}'", "key is used more than once")
        for before, f in zip(tpl.fields, tpl.fields[1:], strict=False):
            if before.with_text and (before.with_text != f.key or f.type != "text"):
                raise self.fail(
                    f"field '{before.key}'", "'with_text' should name the text field after it"
                )
        if tpl.fields and tpl.fields[-1].with_text:
            raise self.fail(f"field '{tpl.fields[-1].key}'", "'with_text' names no field after it")
        for f in tpl.fields:
            if f.when and f.when.field not in keys:
                raise self.fail(
                    f"field '{f.key}'", f"'when' refers to unknown field '{f.when.field}'"
                )
        roles = data.get("roles", {})
        for role, key in roles.items():
            if role not in ROLES:
                raise self.fail("roles", f"unknown role '{role}'")
            if key not in keys:
                raise self.fail("roles", f"role '{role}' refers to unknown field '{key}'")
        consent = None
        if "consent" in data:
            c = data["consent"]
            if c.get("field") not in keys:
                raise self.fail("consent", f"refers to unknown field '{c.get('field')}'")
            consent = ConsentRule(
                c["field"], _scalar(c.get("declined", "no")) or "no", tuple(c.get("keep", []))
            )
        return Template(tid, version, tpl.title, tpl.sections, dict(roles), consent)


def load_template_file(path: Path) -> Template:
    """Parse and validate one template file."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path.name}: not valid YAML ({exc})") from None
    return _Loader(path.name).template(data)


#: The organisation's own templates folder (``configure``), read alongside the shipped one.
_org_dir: Path | None = None


@cache
def _catalogue(folders: tuple[Path, ...]) -> tuple[tuple[Template, Path], ...]:
    """Load the current templates of ``folders`` once, each with the folder it came from.

    The archive folders are not globbed. An id may be used once across all the folders: a
    template that reused a shipped id would change what old notes open with.
    """
    found: list[tuple[Template, Path]] = []
    owner: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            tpl = load_template_file(path)
            if tpl.id in owner:
                raise TemplateError(
                    f"{path.name}: top level: id '{tpl.id}' is already used by {owner[tpl.id]}"
                )
            shipped = folder == folders[0] and len(folders) > 1
            owner[tpl.id] = f"the shipped {path.name}" if shipped else path.name
            found.append((tpl, folder))
    return tuple(found)


def _folders(extra_dir: Path | None) -> tuple[Path, ...]:
    shipped = TEMPLATES_DIR.resolve()
    return (shipped,) if extra_dir is None else (shipped, extra_dir.resolve())


def templates_in(extra_dir: Path | None) -> dict[str, Template]:
    """Load and check the shipped templates plus those in ``extra_dir``, keyed by id."""
    if extra_dir is not None and not extra_dir.is_dir():
        raise TemplateError(f"{extra_dir}: not a folder")
    return {tpl.id: tpl for tpl, _ in _catalogue(_folders(extra_dir))}


def configure(extra_dir: Path | None) -> dict[str, Template]:
    """Read an organisation's templates from ``extra_dir`` too (None: shipped ones only).

    Everything is loaded and checked first, so a broken file fails start-up and changes nothing.
    """
    global _org_dir
    found = templates_in(extra_dir)
    _org_dir = extra_dir
    return found


@cache
def _archived(directory: Path, template_id: str, version: int) -> Template | None:
    path = directory / ARCHIVE / f"{template_id}.v{version}.yaml"
    if not path.is_file():
        return None
    found = load_template_file(path)
    if (found.id, found.version) != (template_id, version):
        raise TemplateError(f"{path.name}: holds {found.id} version {found.version}")
    return found


def all_templates() -> dict[str, Template]:
    """Every template (shipped, then the organisation's) at its current version, keyed by id."""
    return {tpl.id: tpl for tpl, _ in _catalogue(_folders(_org_dir))}


def get_template(template_id: str, version: int | None = None) -> Template:
    """Return a template at ``version`` (else its current one) or raise LookupError."""
    try:
        current, directory = next(
            (tpl, folder)
            for tpl, folder in _catalogue(_folders(_org_dir))
            if tpl.id == template_id
        )
    except StopIteration:
        raise LookupError(f"no template called {template_id!r}") from None
    if version is None or version == current.version:
        return current
    # Older versions live in <its folder>/archive/<id>.v<version>.yaml. For one that is not kept,
    # the current template is the best effort: the engine re-seats a cursor whose question is gone.
    return _archived(directory, template_id, version) or current


def template_for(draft: NoteDraft) -> Template:
    """Return the template a draft was started with (or its current version, if not kept)."""
    return get_template(draft.template_id, draft.template_version)
