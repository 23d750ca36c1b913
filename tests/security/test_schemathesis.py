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
from hypothesis import HealthCheck, Phase, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conftest import Databases
from tests.factories import enterprise_payload
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.fuzzing import CHECKS, AnyCase, fuzz, report
from tests.security.seeds import PUBLIC_HOOK, Seeded, seed

STATEFUL_RUNS, STATEFUL_STEPS = 5, 5
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

        def get(self, case: AnyCase, context: Any) -> str:
            return next(tokens)

        def set(self, case: AnyCase, token: str, context: Any) -> None:
            case.headers["Authorization"] = f"Bearer {token}"

    try:
        # Starts the app's lifespan, as a server would.
        with asgi.get_client(app) as client:  # type: ignore[arg-type]
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


def test_every_operation_answers_as_documented(attacked: Attacked) -> None:
    failures = fuzz(attacked.schema, attacked.seeded.path_parameters)
    assert not failures, report(failures)


def test_operations_chained_by_their_links_answer_as_documented(attacked: Attacked) -> None:
    # Imports lead nowhere (their Location is a report), and random files are refused.
    machine = attacked.schema.exclude(path_regex="^/v1/imports").as_state_machine()

    class Checked(machine):  # type: ignore[misc,valid-type]
        def before_call(self, case: AnyCase) -> None:
            # Starts that random input can hardly hit (a USCC with its check character, a
            # public URL), so that the runs go on to what the links lead to.
            if case.method == "POST" and case.path == "/v1/enterprises":
                case.body = enterprise_payload(province="44")
            elif case.method == "POST" and case.path.endswith("/webhooks"):
                case.body = {"url": PUBLIC_HOOK}

        def validate_response(self, response: Any, case: AnyCase, **kwargs: Any) -> None:
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
