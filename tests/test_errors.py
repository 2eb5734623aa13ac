"""Services raise domain errors (couples/errors.py, checkin/errors.py); one handler at the edge
(config/exceptions.py) answers each with the status code and body clients have always seen, and
the schema documents them."""

import pytest
import yaml
from django.core.management import call_command

from checkin.errors import NoSuchRound, RoundAlreadyOpen, RoundClosed
from config.exceptions import api_exception_handler
from couples.errors import AlreadyPaired, Conflict, DomainError, Invalid, NotFound, NotPaired


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (Invalid({"code": ["This code is not valid."]}), 400, {"code": ["This code is not valid."]}),
        (NoSuchRound(), 404, {"detail": "No such check-in."}),
        (NotFound(), 404, {"detail": "Not found."}),
        (RoundAlreadyOpen(), 409, {"detail": "A check-in is already open. Answer it first."}),
        (RoundClosed(), 409, {"detail": "This check-in is closed: it was revealed or its window has ended."}),
        (AlreadyPaired(), 409, {"detail": "You are already paired. Leave your current couple first."}),
        (NotPaired(), 409, {"detail": "You are not paired."}),
        (Conflict("The person who invited you is already paired with someone else."), 409, None),
    ],
)
def test_each_domain_error_is_answered_with_its_status_and_message(error, status, body):
    response = api_exception_handler(error, {})
    assert response is not None
    assert response.status_code == status
    assert response.data == (body or {"detail": error.message})


def test_every_kind_of_domain_error_has_a_status():
    def kinds(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from kinds(sub)

    for kind in kinds(DomainError):
        error = kind({"field": ["wrong"]}) if issubclass(kind, Invalid) else kind()
        assert api_exception_handler(error, {}) is not None, kind


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("put", "/api/v1/checkins/{round_id}/response", {"400", "401", "404", "409"}),
        ("post", "/api/v1/checkins", {"401", "409"}),
        ("post", "/api/v1/couple/join", {"400", "401", "409", "429"}),
        ("post", "/api/v1/auth/login", {"400", "429"}),
        ("get", "/api/v1/checkins/current", {"401", "404"}),
    ],
)
def test_the_schema_documents_the_error_responses(schema, method, path, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    for code in codes:
        assert responses[code]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")


def test_anyone_may_log_in_so_login_documents_no_401(schema):
    assert "401" not in schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
