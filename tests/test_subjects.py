"""The apps that file notifications write their subjects in their own subjects.py only
(checkin/subjects.py, signals/subjects.py, workflows/subjects.py), so that what a subject looks like
has one owner per app: a subject or topic written out anywhere else in them fails here."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # reads the source, the same on either engine

ROOT = Path(__file__).resolve().parent.parent
APPS_THAT_FILE = ("checkin", "signals", "workflows")
SUBJECT_ARGUMENTS = {"subject", "subjects", "topic"}


def subjects_written_out(source: str) -> list[int]:
    """The lines where a call is given a subject made of a string (a literal, an f-string, a sum);
    strings given to a call inside it (a field's name to a query, say) are no subject."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in SUBJECT_ARGUMENTS:
            arguments = {
                id(argument)
                for call in ast.walk(node.value)
                if isinstance(call, ast.Call)
                for argument in [*call.args, *(k.value for k in call.keywords)]
            }
            if any(
                id(part) not in arguments
                and (
                    isinstance(part, ast.JoinedStr) or (isinstance(part, ast.Constant) and isinstance(part.value, str))
                )
                for part in ast.walk(node.value)
            ):
                lines.append(node.value.lineno)
    return lines


def test_the_check_finds_a_subject_written_out():
    written_out = 'notify(subject=f"couple:{couple.pk}")\nnotify(subjects=["round:" + str(pk)])'
    assert subjects_written_out(written_out) == [1, 2]
    owned = 'notify(subject=subjects.of_couple(pk))\nunsay(subjects=[of(c) for c in q.values_list("couple_id")])'
    assert subjects_written_out(owned) == []


def test_subjects_are_written_in_each_app_s_subjects_module_only():
    found = {
        str(path.relative_to(ROOT)): lines
        for app in APPS_THAT_FILE
        for path in sorted((ROOT / app).rglob("*.py"))
        if path.name != "subjects.py" and "migrations" not in path.parts
        if (lines := subjects_written_out(path.read_text()))
    }
    assert found == {}
