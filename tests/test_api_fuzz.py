"""API fuzzing: schemathesis generates requests from the app's own OpenAPI schema and sends
them in-process to the real app (real database, real Redis); no response may be a 5xx.

Every generated case is sent twice: with a valid token of the kind the route wants (a
station token for capture, a feed token for the feed), so the fuzzing reaches the code behind
the authentication, and with the generated Authorization header, which fuzzes the token
parsing itself.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from intake.commands.tokens import create_token
from intake.settings import Settings

#: Generated cases per operation (each sent twice).
MAX_EXAMPLES = 60


@pytest.fixture
def api_schema(service_env: Settings) -> schemathesis.schemas.BaseSchema:
    from api import create_app

    return schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture
def tokens(service_env: Settings) -> dict[str, str]:
    return {
        "station": f"Bearer {create_token('fuzz-station', 'station')}",
        "feed": f"Bearer {create_token('fuzz-feed', 'feed')}",
    }


def test_no_server_errors(api_schema: schemathesis.schemas.BaseSchema, tokens: dict[str, str]):
    # Driven by Hypothesis directly: schemathesis' pytest plugin does not run on pytest 9.
    results = list(api_schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), results  # the schema itself is valid
    assert {op.path for op in operations} >= {"/api/v1/documents", "/api/v1/feed/exports"}
    sent: dict[str, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def no_server_error(case: schemathesis.Case) -> None:
            sent[case.operation.label] = sent.get(case.operation.label, 0) + 1
            kind = "feed" if case.path.startswith("/api/v1/feed") else "station"
            case.call_and_validate(
                headers={"Authorization": tokens[kind]}, checks=[not_a_server_error]
            )
            case.call_and_validate(checks=[not_a_server_error])

        no_server_error()
    # Every operation was really exercised (a schema that yields nothing cannot pass); the
    # probes without parameters have exactly one possible request.
    assert len(sent) == len(operations), sent
    assert all(count >= 10 for label, count in sent.items() if "/api/" in label), sent
