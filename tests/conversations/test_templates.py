"""Every shipped template loads; a broken file names the file, the field and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.template import TemplateError, all_templates, load_template_file

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
