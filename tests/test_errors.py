"""Services raise domain errors (foundation/errors.py and each app's errors.py); one handler at the edge
(config/exceptions.py) answers each with the status code and body clients have always seen, and
the schema documents them."""

import pytest
import yaml
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

import config.urls
from checkin.errors import NoSuchRound, RoundAlreadyOpen, RoundClosed
from config.exceptions import api_exception_handler
from couples.errors import AlreadyPaired, NotPaired
from foundation.errors import Conflict, DomainError, Invalid, NotFound, TooMany


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (Invalid({"code": ["This code is not valid."]}), 400, {"code": ["This code is not valid."]}),
        (NoSuchRound(), 404, {"detail": "No such check-in."}),
        (NotFound(), 404, {"detail": "Not found."}),
        (RoundAlreadyOpen(), 409, {"detail": "A check-in is already open. Answer it first."}),
        (RoundClosed(), 409, {"detail": "This check-in is closed: it was revealed or its window has ended."}),
        (AlreadyPaired(), 409, {"detail": "You are already paired. Leave your current couple first."}),
        (NotPaired(), 404, {"detail": "You are not paired yet."}),
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
        if issubclass(kind, Invalid):
            error = kind({"field": ["wrong"]})
        elif issubclass(kind, TooMany):
            error = kind(retry_after=60)
        else:
            error = kind()
        assert api_exception_handler(error, {}) is not None, kind


def test_a_limit_reached_is_a_429_that_says_when_to_try_again():
    response = api_exception_handler(TooMany(retry_after=90), {})
    assert response is not None
    assert (response.status_code, response["Retry-After"]) == (429, "90")
    assert response.data == {"detail": TooMany.message}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("put", "/api/v1/checkins/{round_id}/response", {"400", "401", "404", "409", "413"}),
        ("post", "/api/v1/checkins", {"401", "409"}),
        ("post", "/api/v1/couple/join", {"400", "401", "409", "413", "429"}),
        ("post", "/api/v1/auth/login", {"400", "413", "429"}),
        ("get", "/api/v1/checkins/current", {"401", "404"}),
        ("post", "/api/v1/signals", {"400", "401", "404", "413", "429"}),
        ("post", "/api/v1/signals/{signal_id}/reply", {"400", "401", "404", "409", "413"}),
        ("delete", "/api/v1/signals/{signal_id}", {"401", "404", "409"}),
        ("get", "/api/v1/signals/current", {"401", "404"}),
    ],
)
def test_the_schema_documents_the_error_responses(schema, method, path, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    for code in codes:
        assert responses[code]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")


def test_anyone_may_log_in_so_login_documents_no_401(schema):
    assert "401" not in schema["paths"]["/api/v1/auth/login"]["post"]["responses"]


# Every error under /api/ is JSON, whatever answers it (DRF, Django, a middleware) and with DEBUG
# on or off (config/middleware.py, ApiErrorsAsJson). The routes below are added for these tests
# only: an API view that crashes, and a plain Django view that takes a form with CSRF.
class Crashing(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise ZeroDivisionError("a bug")


def form_with_csrf(request):
    return HttpResponse("taken")


urlpatterns = [
    path("api/v1/test/crash", Crashing.as_view()),
    path("api/v1/test/form", form_with_csrf),
    path("test/form", form_with_csrf),
    *config.urls.urlpatterns,
]
handler404 = config.urls.handler404


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def anyone() -> Client:
    """A client that hands back what a server error answers, as a browser would see it."""
    return Client(raise_request_exception=False)


def assert_json_error(response, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}
    # A length that no longer matches the body leaves a client waiting for bytes that never come.
    assert response.get("Content-Length", str(len(response.content))) == str(len(response.content))


@pytest.mark.parametrize("path", ["/api/v1/checkins/abc", "/api/v1/checkins/1/whatever", "/api/nothing-here"])
def test_a_path_no_route_matches_under_the_api_is_a_json_404(debug, path):
    assert_json_error(anyone().get(path), 404, "Not found.")


@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_is_a_json_500(debug):
    assert_json_error(anyone().get("/api/v1/test/crash"), 500, "A server error occurred.")


def test_a_method_the_api_does_not_take_is_a_json_405_saying_which_it_takes(debug):
    response = anyone().delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "POST, OPTIONS"


def test_a_host_the_server_does_not_serve_is_a_json_400_under_the_api(debug):
    assert_json_error(anyone().get("/api/v1/me", HTTP_HOST="evil.example"), 400, "Bad request.")


@pytest.mark.urls(__name__)
def test_a_csrf_failure_under_the_api_is_a_json_403_and_elsewhere_djangos_page(debug):
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = browser.post("/api/v1/test/form", {"a": "b"})
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    page = browser.post("/test/form", {"a": "b"})
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_page_for_people_under_the_api_keeps_its_own_words(debug):
    # The one-click unsubscribe link of an email opens a page, not JSON, even when it is a 400.
    response = anyone().get("/api/v1/notifications/unsubscribe", {"token": "not-a-token"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"This unsubscribe link is not valid." in response.content
