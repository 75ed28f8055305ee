"""Issue 8: the OpenAPI description covers every API route, and the API keeps to it (Schemathesis)."""
import re
import secrets

import pytest
import schemathesis
import whoosh.codec.base
from openapi_spec_validator import validate
from schemathesis.engine import events
from sqlmodel import Session
from whoosh.util import IDCHARS

from casebook import openapi, search
from casebook.db import get_engine
from casebook.services import tokens, users

PASSWORD = "correct-horse-battery"


def test_every_api_route_is_in_the_description(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    described = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    routes = {(openapi.openapi_path(rule.rule), method.lower())
              for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == described
    for path, method in described:
        op = spec["paths"][path][method]
        assert op["summary"] and op["operationId"] and "429" in op["responses"], (method, path)
        writes = method != "get" or path.endswith("/revisions")
        assert op["security"] == ([{"bearerAuth": []}] if writes else [{}, {"bearerAuth": []}]), (method, path)


def test_description_is_valid_openapi_3_1(client):
    validate(client.get("/api/v1/openapi.json").get_json())  # raises on any error


def test_reference_page_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<script" not in page and "//cdn" not in page
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert f'id="op-{op["operationId"]}"' in page
            assert f"<code>{method.upper()} {path}</code>" in page
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert re.search(r'<a href="#schema-CaseIn">CaseIn</a>', page)


@pytest.fixture
def fuzzed_app(loaded_app):
    """The bundled cases, an editor with a token, and limits high enough for the fuzzer."""
    loaded_app.config["API_RATE_LIMIT"] = "100000/minute"
    with loaded_app.app_context(), Session(get_engine(loaded_app)) as db:
        editor = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        _token, plain = tokens.create_token(db, editor, "schemathesis")
    loaded_app.config["TEST_BEARER"] = plain
    return loaded_app


@pytest.fixture
def api_schema(fuzzed_app):
    config = schemathesis.Config.from_dict({
        "headers": {"Authorization": f"Bearer {fuzzed_app.config['TEST_BEARER']}"},
        # Bounded and repeatable: the same requests on every run (try other seeds locally).
        "seed": 1,
        "generation": {"max-examples": 10, "database": "none"},
        "checks": {
            # Business rules (known themes, check digits, the workflow) refuse some data the schema allows.
            "positive_data_acceptance": {"enabled": False},
            # 412 (stale If-Match) and 428 (no If-Match) are this API's refusals too.
            "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "409", "412",
                                                              "413", "415", "428", "429"]},
            "missing_required_header": {"expected-statuses": ["400", "401", "403", "404", "428"]},
            # Its in-process probe passes requests-only arguments to the WSGI client (TypeError in
            # schemathesis 4.32); test_api_write.py checks that every write refuses a missing or bad token.
            "ignored_auth": {"enabled": False},
        },
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app, config=config)


def unseeded_name(size: int = 28) -> str:
    return "".join(secrets.choice(IDCHARS) for _ in range(size))


def run_schemathesis(schema) -> tuple[list[str], set[tuple[str, str, int]]]:
    """Run every phase of Schemathesis in process; return what it found and the (method, path, status) seen."""
    found, seen = [], set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, interaction in event.recorder.interactions.items():
                if interaction.response is not None:
                    case = event.recorder.cases[case_id].value
                    seen.add((case.method, case.operation.path, interaction.response.status_code))
            for case_id, checks in event.recorder.checks.items():
                case = event.recorder.cases[case_id].value
                for check in checks:
                    if check.failure_info is not None:
                        found.append(f"{check.name}: {case.method} {case.formatted_path} {case.query!r} {case.headers!r} "
                                     f"{check.failure_info.failure.title}: {check.failure_info.failure.message}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            found.append(f"error: {getattr(event, 'label', '')} {event.info.format()}")
    return found, seen


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_api_keeps_to_its_description(api_schema, fuzzed_app, monkeypatch):
    # Hypothesis seeds the global PRNG for every example, and Whoosh names new segments with it:
    # in process, two commits would get the same segment name.
    monkeypatch.setattr(whoosh.codec.base, "random_name", unseeded_name)
    found, seen = run_schemathesis(api_schema)
    assert found == [], "\n".join(dict.fromkeys(found))
    # The token and the examples in the description let every kind of write succeed at least once.
    succeeded = {(method, path) for method, path, status in seen if status < 300}
    assert {("POST", "/api/v1/cases"), ("PUT", "/api/v1/cases/{slug}"), ("PATCH", "/api/v1/cases/{slug}"),
            ("DELETE", "/api/v1/cases/{slug}")} <= succeeded
    assert len({path for method, path in succeeded if method == "POST" and path.count("/") == 5}) >= 2  # steps
    assert {status for *_, status in seen} >= {200, 201, 400, 401, 404, 405, 412, 415, 428}
    with fuzzed_app.app_context(), Session(get_engine(fuzzed_app)) as db:
        assert search.check_index(db, search.get_index(fuzzed_app)).clean


