"""Runs schemathesis over every operation of a schema, bounded, and collects what it found."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

AnyCase = Case[Any]

# Per operation, generation mode and choice of path parameters: small enough that the folder
# runs in about two minutes on two cores, enough to find what the first, longer runs found.
EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run: a failure reproduces
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz(schema: OpenApiSchema, known: dict[str, str], *, last: str = "") -> dict[str, set[str]]:
    """Valid and invalid input for every operation, then again with the path parameters named in
    `known` (so that requests reach seeded rows); the failures found, by operation. The
    operation at path `last` runs after the others (signing out ends the sessions in use)."""
    failures: dict[str, set[str]] = {}
    operations = sorted(
        (result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)),
        key=lambda o: o.path == last,
    )
    for operation in operations:
        has_input = bool(operation.path_parameters or operation.query or operation.body)
        fixed = {k: v for k, v in known.items() if f"{{{k}}}" in operation.path} or None
        runs: list[tuple[GenerationMode, dict[str, str] | None]] = [(GenerationMode.POSITIVE, None)]
        runs += [(GenerationMode.NEGATIVE, None)] * has_input
        runs += [(GenerationMode.POSITIVE, fixed)] * (fixed is not None)
        for mode, path_parameters in runs:

            @given(
                case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            )
            @BOUNDED
            def run(case: AnyCase) -> None:
                try:
                    case.call_and_validate(checks=CHECKS)
                except (AssertionError, BaseExceptionGroup) as failure:
                    text = " | ".join(line for line in str(failure).splitlines()[:12] if line)
                    failures.setdefault(case.operation.label, set()).add(text)

            try:
                run()
            except Unsatisfiable:
                continue  # no invalid input exists for it (only optional flags, say)
    return failures


def report(failures: dict[str, set[str]]) -> str:
    return "\n".join(f"{op}: {text}" for op, texts in failures.items() for text in texts)
