"""schemathesis against each service's own OpenAPI document, in-process (no network): every
operation with generated valid and invalid input, as each kind of caller, and the operations
chained by their links. No answer may be a 5xx, and every answer must be documented (status,
content type, headers, body schema); input the schema forbids must be refused."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conftest import Databases
from tests.factories import enterprise_payload
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.seeds import PUBLIC_HOOK, Seeded, seed

# Per operation, generation mode and choice of path parameters: small enough that the folder
# runs in about two minutes on two cores, enough to find what the first runs found.
EXAMPLES = 5
STATEFUL_RUNS, STATEFUL_STEPS = 5, 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ROLES = ("admin", "caseworker", "enterprise")


@pytest.fixture(params=SERVICES)
def attacked(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Attacked]:
    name = str(request.param)
    url = databases.url(name)
    app = service_app(name, url)
    callers = Callers()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tokens = itertools.cycle([callers.token(who) for who in ROLES])

    @schema.auth(refresh_interval=None)
    class EachRoleInTurn:
        """Admin, caseworker of the firm's province, the firm itself: one after the other."""

        def get(self, case: Case, context: Any) -> str:
            return next(tokens)

        def set(self, case: Case, token: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    try:
        with asgi.get_client(app) as client:  # starts the app's lifespan, as a server would
            seeded = seed(name, client, callers, url)
        yield Attacked(name, schema, seeded)
    finally:
        asgi.shutdown_lifespans()


@dataclass(frozen=True)
class Attacked:
    """A service's schema, bound to its running app, and what was seeded in it."""

    name: str
    schema: OpenApiSchema
    seeded: Seeded


def _explore(case: Case, failures: dict[str, set[str]]) -> None:
    """Call and check; a failure is kept (all of them are reported, not only the first)."""
    try:
        case.call_and_validate(checks=CHECKS)
    except (AssertionError, BaseExceptionGroup) as failure:
        failures.setdefault(case.operation.label, set()).add(_first_lines(failure))


def _first_lines(failure: BaseException) -> str:
    return " | ".join(line for line in str(failure).splitlines()[:12] if line.strip())


def test_every_operation_answers_as_documented(attacked: Attacked) -> None:
    failures: dict[str, set[str]] = {}
    ran = 0
    for result in attacked.schema.get_all_operations():
        operation = result.ok()
        has_input = bool(operation.path_parameters or operation.query or operation.body)
        modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * has_input
        known = {
            name: value
            for name, value in attacked.seeded.path_parameters.items()
            if f"{{{name}}}" in operation.path
        }
        for mode, fixed in itertools.product(modes, [None, known or None]):
            if fixed is None and known and mode is GenerationMode.NEGATIVE:
                continue  # invalid path parameters are tried without the known ones

            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,  # the same requests on every run: a failure reproduces
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Case) -> None:
                _explore(case, failures)

            try:
                run()
            except Unsatisfiable:
                continue  # no invalid input exists for it (e.g. only optional flags)
            ran += 1
    assert ran >= 10
    assert not failures, "\n".join(
        f"{op}: {text}" for op, texts in failures.items() for text in texts
    )


def test_operations_chained_by_their_links_answer_as_documented(attacked: Attacked) -> None:
    # Imports lead nowhere (their Location is a report), and random files are refused.
    machine = attacked.schema.exclude(path_regex="^/v1/imports").as_state_machine()

    class Checked(machine):  # type: ignore[misc,valid-type]
        def before_call(self, case: Case) -> None:
            # Starts that random input can hardly hit (a USCC with its check character, a
            # public URL), so that the runs go on to what the links lead to.
            if case.method == "POST" and case.path == "/v1/enterprises":
                case.body = enterprise_payload(province="44")
            elif case.method == "POST" and case.path.endswith("/webhooks"):
                case.body = {"url": PUBLIC_HOOK}

        def validate_response(self, response: Any, case: Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Checked.run(
        settings=settings(
            max_examples=STATEFUL_RUNS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
