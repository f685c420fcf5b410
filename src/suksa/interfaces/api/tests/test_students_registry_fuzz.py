"""Property-based check of the registry endpoints against their OpenAPI schema (schemathesis).

Requests generated from the schema drf-spectacular builds now are sent as the school director (who
may read and change learners and their sensitive data), against a learner of that school. No answer
may be a server error, every answer must match its documented shape, and every read must succeed
at least once. Bounded and derandomised.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from suksa.domains.students.tests.factories import make_student
from tests.api.test_schemathesis import generated_schema, keep_test_connection  # noqa: F401
from tests.factories import World

MAX_EXAMPLES = 10
PREFIX = "/api/v1/students/"
MINE = ("", "{student_id}/", "{student_id}/guardians/", "{student_id}/citizen-id/", "{student_id}/sensitive/")


def _fuzz(strategy: Any, headers: dict[str, str]) -> set[int]:
    seen: set[int] = set()

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        cache.clear()  # throttles would otherwise turn later examples into 429s
        response = case.call(headers=headers)
        seen.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    check()
    return seen


@pytest.mark.slow
@pytest.mark.django_db
def test_registry_operations_conform_to_the_schema(world: World, keep_test_connection: None) -> None:  # noqa: F811
    student = make_student(world.school_a1_1)
    token = Token.objects.create(user=world.user("director_a1_1"))
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "th"}
    schema = schemathesis.openapi.from_dict(generated_schema())
    schema.app = application
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        if op.path.removeprefix(PREFIX) in MINE and op.path.startswith(PREFIX)
    ]
    assert len(operations) == 11
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        strategy = operation.as_strategy()
        if operation.path_parameters:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters={"student_id": student.pk}))
        try:
            statuses[name] = _fuzz(strategy, headers)
        except Exception as exc:  # collect every operation's failure, not only the first
            failures.append(f"{name}: {exc}")
    assert not failures, "\n\n".join(failures)
    reads = [op for op in statuses if op.startswith("GET ")]
    assert all(any(200 <= c < 300 for c in statuses[op]) for op in reads), statuses
