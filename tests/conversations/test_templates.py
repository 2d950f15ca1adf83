"""Every shipped template loads; a broken file names the file, the field and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations import template as template_module
from conversations.draft import NoteDraft
from conversations.engine import Input, answer, resume
from conversations.outcome import Asked
from conversations.template import (
    TEMPLATES_DIR,
    TemplateError,
    all_templates,
    get_template,
    load_template_file,
    template_for,
)
from tests.conversations.walker import Walker, fill_after_location, fill_session, save

GOOD_FIELD = "      - {key: when, type: date, prompt: When}\n"


def write(tmp_path: Path, body: str, fields: str = GOOD_FIELD) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(
        "id: custom\nversion: 1\n"
        + body
        + "sections:\n  - key: s1\n    title: One\n    fields:\n"
        + fields
    )
    return path


def test_shipped_templates_load() -> None:
    templates = all_templates()
    assert set(templates) == {"peer_support", "soap", "dap", "birp"}
    ps = templates["peer_support"]
    assert [s.title for s in ps.sections] == [
        "Session details",
        "Participant",
        "Consent",
        "Presenting concerns",
        "Session summary",
        "Observations",
        "Agreed actions",
        "Next steps",
    ]
    for t in templates.values():
        assert {"session_date", "start_time", "duration", "participant"} <= set(t.roles)


def test_a_custom_field_is_just_data(tmp_path: Path) -> None:
    t = load_template_file(
        write(tmp_path, "", GOOD_FIELD + "      - {key: risk, type: yesno, prompt: Any risk}\n")
    )
    assert [f.key for f in t.fields] == ["when", "risk"]


@pytest.mark.parametrize(
    ("body", "fields", "message"),
    [
        (
            "",
            "      - {key: x, type: colour, prompt: P}\n",
            "custom.yaml: field 'x': type 'colour'",
        ),
        (
            "",
            "      - {key: x, type: choice, prompt: P}\n",
            "field 'x': a choice field needs choices",
        ),
        ("", "      - {key: x, type: text}\n", "field 'x': 'prompt' is missing"),
        ("", "      - {key: Bad Key, type: text, prompt: P}\n", "field 'Bad Key': key should be"),
        ("", "      - {key: x, type: integer, prompt: P}\n", "field 'x': an integer field needs"),
        ("", "      - {key: x, type: group, prompt: P}\n", "field 'x': a group field needs sub"),
        (
            "",
            "      - {key: x, type: text, prompt: P, colour: red}\n",
            "unknown setting(s): colour",
        ),
        ("", GOOD_FIELD + GOOD_FIELD, "field 'when': key is used more than once"),
        (
            "",
            "      - {key: x, type: text, prompt: P, when: {field: nope, is: yes}}\n",
            "field 'x': 'when' refers to unknown field 'nope'",
        ),
        ("roles: {session_date: nope}\n", GOOD_FIELD, "roles: role 'session_date' refers to"),
        ("roles: {flavour: when}\n", GOOD_FIELD, "unknown role 'flavour'"),
        ("", "      - {key: x, type: date, prompt: P, dates: soon}\n", "'dates' should be"),
        (
            "",
            "      - {key: x, type: text, prompt: P, with_text: y}\n",
            "field 'x': 'with_text' is for a multichoice field",
        ),
        (
            "",
            "      - {key: x, type: multichoice, prompt: P, choices: [a], with_text: y}\n"
            "      - {key: z, type: text, prompt: Q}\n",
            "field 'x': 'with_text' should name the text field after it",
        ),
        (
            "",
            "      - {key: x, type: multichoice, prompt: P, choices: [a], with_text: y}\n",
            "field 'x': 'with_text' names no field after it",
        ),
        (
            "",
            "      - key: p\n        type: participant\n        prompt: P\n        fields:\n"
            "          - {key: name, type: text, prompt: N}\n"
            "          - {key: pr, type: pronouns, prompt: Q, asked_with: age}\n",
            "field 'p.pr': 'asked_with' should name an earlier sub-field",
        ),
        (
            "",
            "      - key: p\n        type: participant\n        prompt: P\n        fields:\n"
            "          - {key: name, type: text, prompt: N}\n"
            "          - {key: age, type: text, prompt: A, asked_with: name}\n",
            "field 'p.age': 'asked_with' is for pronouns",
        ),
    ],
)
def test_broken_templates_say_what_is_wrong(
    tmp_path: Path, body: str, fields: str, message: str
) -> None:
    with pytest.raises(TemplateError) as err:
        load_template_file(write(tmp_path, body, fields))
    assert message in str(err.value)
    assert str(err.value).startswith("custom.yaml: ")


def test_not_yaml_and_missing_version(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(TemplateError, match=r"bad\.yaml: not valid YAML"):
        load_template_file(path)
    path.write_text("id: x\nsections: []\n")
    with pytest.raises(TemplateError, match=r"bad\.yaml: top level: 'version' is missing"):
        load_template_file(path)


# Version 1 of peer_support, as archived when version 2 shipped: these tests make their own
# "version 2" from it (location renamed to venue) in a folder of their own.
SHIPPED = TEMPLATES_DIR / "archive" / "peer_support.v1.yaml"
LOCATION = "      - key: location\n        type: text\n        label: Location\n"
VENUE = "      - key: venue\n        type: text\n        label: Venue\n"


def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive: bool = True) -> None:
    """A templates folder where peer_support is at version 2 (location renamed to venue)."""
    text = SHIPPED.read_text()
    assert "version: 1\n" in text and LOCATION in text
    (tmp_path / "peer_support.yaml").write_text(
        text.replace("version: 1\n", "version: 2\n").replace(LOCATION, VENUE)
    )
    if archive:
        (tmp_path / "archive").mkdir()
        (tmp_path / "archive" / "peer_support.v1.yaml").write_text(text)
    monkeypatch.setattr(template_module, "TEMPLATES_DIR", tmp_path)


@pytest.mark.parametrize(
    ("version", "found", "asks"),
    [(None, 2, "venue"), (2, 2, "venue"), (1, 1, "location"), (7, 2, "venue"), (0, 2, "venue")],
)
def test_get_template_honours_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int | None, found: int, asks: str
) -> None:
    two_versions(tmp_path, monkeypatch)
    t = get_template("peer_support", version)
    assert t.version == found
    assert asks in [f.key for f in t.fields]


def test_an_archive_file_must_hold_the_version_its_name_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_versions(tmp_path, monkeypatch)
    (tmp_path / "archive" / "peer_support.v1.yaml").write_text(
        SHIPPED.read_text().replace("version: 1\n", "version: 3\n")
    )
    with pytest.raises(
        TemplateError, match=r"peer_support\.v1\.yaml: holds peer_support version 3"
    ):
        get_template("peer_support", 1)


def test_unknown_template_id_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="no template called 'nope'"):
        get_template("nope", 1)


def test_shipped_archive_files_are_older_versions_of_current_templates() -> None:
    current = all_templates()
    for path in sorted((TEMPLATES_DIR / "archive").glob("*.yaml")):
        old = load_template_file(path)
        assert path.name == f"{old.id}.v{old.version}.yaml"
        assert old.version < current[old.id].version
        assert get_template(old.id, old.version) == old


def _started_under_v1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive: bool) -> NoteDraft:
    """A draft begun under version 1, stopped at its location question."""
    two_versions(tmp_path, monkeypatch, archive)
    w = Walker(get_template("peer_support", 1) if archive else load_template_file(SHIPPED))
    fill_session(w)
    assert w.key == "location" and w.draft.template_version == 1
    return w.draft


def test_a_draft_from_an_archived_version_resumes_and_completes_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = _started_under_v1(tmp_path, monkeypatch, archive=True)
    t = template_for(draft)
    assert t.version == 1
    w = Walker(t)
    w.out = resume(t, draft, w.ctx)
    assert w.key == "location"
    w.say("Community centre")
    fill_after_location(w)
    note = save(w)
    assert note.template_version == 1
    assert note.answers["location"] == "Community centre"


def test_a_draft_from_an_unknown_version_carries_on_under_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = _started_under_v1(tmp_path, monkeypatch, archive=False)
    t = template_for(draft)
    assert t.version == 2
    w = Walker(t)
    w.out = resume(t, draft, w.ctx)
    assert w.key == "venue" and w.draft.template_version == 2
    w.say("Community centre")
    fill_after_location(w)
    note = save(w)
    assert note.template_version == 2
    assert note.answers["venue"] == "Community centre" and "location" not in note.answers
    assert note.answers["date"] == "2026-11-22"


def test_an_input_for_a_question_the_form_lost_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = _started_under_v1(tmp_path, monkeypatch, archive=False)
    out = answer(template_for(draft), draft, Input(text="Community centre"), Walker().ctx)
    assert isinstance(out, Asked) and out.prompt.key == "venue"
    assert "form has changed" in (out.prompt.remark or "")
    assert "venue" not in out.draft.answers


# An organisation's own folder (CASENOTES_TEMPLATES_DIR), read alongside the shipped one.
ORG = (
    "id: outreach\nversion: 2\ntitle: Street outreach\n"
    "sections:\n  - key: s1\n    title: One\n    fields:\n"
    "      - {key: where, type: text, prompt: 'Where did you meet?'}\n"
)


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty organisation folder; the module's setting is put back after the test."""
    monkeypatch.setattr(template_module, "_org_dir", None)
    folder = tmp_path / "org"
    folder.mkdir()
    return folder


def test_an_organisation_template_is_offered_beside_the_shipped_ones(org: Path) -> None:
    (org / "outreach.yaml").write_text(ORG)
    assert "outreach" not in all_templates()
    found = template_module.configure(org)
    assert set(found) == {"peer_support", "soap", "dap", "birp", "outreach"}
    assert all_templates() == found
    assert get_template("outreach").title == "Street outreach"
    assert get_template("soap").title == "SOAP note"
    template_module.configure(None)
    assert "outreach" not in all_templates()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"mytemplate.yaml": ORG.replace("type: text", "type: foo")},
            "mytemplate.yaml: field 'where': type 'foo' is not one of text, longtext",
        ),
        (
            {"mytemplate.yaml": ORG.replace("prompt:", "promt:")},
            "mytemplate.yaml: field 'where': unknown setting(s): promt",
        ),
        (
            {"mysoap.yaml": ORG.replace("id: outreach", "id: soap")},
            "mysoap.yaml: top level: id 'soap' is already used by the shipped soap.yaml",
        ),
        (
            {"a.yaml": ORG, "b.yaml": ORG},
            "b.yaml: top level: id 'outreach' is already used by a.yaml",
        ),
        (
            {"x.yaml": ORG.replace("id: outreach", "id: Street Outreach")},
            "x.yaml: top level: id should be lower-case letters, digits or _",
        ),
        ({"x.yaml": "id: [unclosed\n"}, "x.yaml: not valid YAML"),
    ],
)
def test_a_broken_organisation_folder_names_the_file_and_changes_nothing(
    org: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (org / name).write_text(text)
    with pytest.raises(TemplateError) as err:
        template_module.configure(org)
    assert str(err.value).startswith(message)
    assert set(all_templates()) == {"peer_support", "soap", "dap", "birp"}


def test_an_organisation_folder_that_is_not_there_is_named(org: Path) -> None:
    with pytest.raises(TemplateError, match=r"missing: not a folder"):
        template_module.configure(org / "missing")


def test_an_organisation_template_keeps_its_old_versions_in_its_own_archive(org: Path) -> None:
    (org / "outreach.yaml").write_text(ORG)
    (org / "archive").mkdir()
    (org / "archive" / "outreach.v1.yaml").write_text(
        ORG.replace("version: 2", "version: 1").replace("key: where", "key: place")
    )
    template_module.configure(org)
    assert [f.key for f in get_template("outreach").fields] == ["where"]
    assert [f.key for f in get_template("outreach", 1).fields] == ["place"]
    assert get_template("outreach", 7).version == 2
    # A shipped template's old versions are still found in the shipped archive.
    assert get_template("peer_support", 1).version == 1
