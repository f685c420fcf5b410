"""Property-based check of API v1 against its own OpenAPI schema (schemathesis, in-process WSGI).

For every operation, schemathesis generates valid requests from the schema drf-spectacular
generates now, sends them as a national system administrator (token) against the test world,
and checks that no response is a server error and every response matches the documented schema.
Bounded and derandomised, so it is reproducible and stays well under a minute.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from suksa.core.models import Job
from suksa.core.policy import Role
from suksa.domains.accounts.models import RoleAssignment
from suksa.domains.students.models import CensusReturn, CensusRound, DuplicateClaim, Transfer, YearEndBatch
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World, make_user

MAX_EXAMPLES = 12
# Reads that a national system administrator is refused by design (per-learner sensitive data and
# attendance sheets stay in the school); their own area's fuzz tests run them as a school director.
NOT_FOR_A_NATIONAL_SYSADMIN = {
    "GET /api/v1/students/{student_id}/sensitive/",
    "GET /api/v1/attendance/rooms/{classroom_id}/",
    "GET /api/v1/attendance/rooms/{classroom_id}/summary/",
    # These take the unit as a required query value that random strings never hit; the census and
    # attendance API tests call them with real codes.
    "GET /api/v1/attendance/esa-missing/",
    "GET /api/v1/census/headcounts/",
    # Resolves the target of a unit given by code in the query; the catalogue API tests call it.
    "GET /api/v1/monitoring/targets/resolve/",
    # Takes exactly one of ``q`` (text) or ``doc`` (an indexed narrative of the current run);
    # generated cases send both, neither or an unknown doc. The lessons API tests search for real.
    "GET /api/v1/insights/similar/",
}


def _student_objects(world: World) -> dict[str, int]:
    """One object of each students-domain kind in school A1-1, for the path parameters."""
    student = make_student(world.school_a1_1, grade="P2")
    enrolment = student.enrolments.get()
    other = make_student(world.school_a1_2, grade="P2")
    transfer = Transfer.objects.create(
        student=other, from_enrolment=other.enrolments.get(), from_school=world.school_a1_2,
        to_school=world.school_a1_1, requested_on=enrolment.starts_on,
    )  # fmt: skip
    claim = DuplicateClaim.objects.create(
        student=other, identifier=other.identifier, claiming_school=world.school_a1_1,
        holding_school=world.school_a1_2,
    )  # fmt: skip
    census_round = CensusRound.objects.create(census_date=academic_year().census_dates.get(round="jun10"))
    census_return = CensusReturn.objects.create(round=census_round, school=world.school_a1_1)
    batch = YearEndBatch.objects.create(
        school=world.school_a1_2, academic_year=academic_year(), status="reversed"
    )
    job = Job.objects.create(kind="students.import", unit=world.school_a1_1)
    return {
        "student_id": student.pk,
        "classroom_id": enrolment.classroom_id or 0,
        "transfer_id": transfer.pk,
        "claim_id": claim.pk,
        "return_id": census_return.pk,
        "batch_id": batch.pk,
        "job_id": job.pk,
    }


def _monitoring_objects(world: World) -> dict[str, int | str]:
    """ESA A1's report of a pre-filled round, with a work, a data problem and a stored evidence file."""
    import hashlib

    from django.conf import settings as django_settings
    from django.utils import timezone

    from suksa.core.policy import SYSTEM
    from suksa.domains.monitoring.models import DataProblem, EvidenceFile, OutstandingWork, Report, Target
    from suksa.domains.monitoring.services.prefill import round_prefill
    from suksa.domains.monitoring.tests.factories import make_framework

    fw = make_framework(2569)
    rnd = fw.rounds.get(code="m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    value = report.values.order_by("pk").first()
    assert value is not None
    now = timezone.now()
    work = OutstandingWork.objects.create(report=report, rank=1, title="งานเด่น", description="รายละเอียด")
    problem = DataProblem.objects.create(
        report=report, value=value, description="ค่าไม่ตรงกับข้อมูลของเขต", raised_by="x", raised_at=now
    )
    content = b"%PDF-1.4 fuzz evidence"
    sha = hashlib.sha256(content).hexdigest()
    stored = f"evidence/{sha[:2]}/{sha}"
    path = django_settings.MEDIA_ROOT / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    evidence = EvidenceFile.objects.create(
        report=report, work=work, original_name="หลักฐาน.pdf", content_type="application/pdf",
        size=len(content), sha256=sha, stored_path=stored, uploaded_by="x", uploaded_at=now,
    )  # fmt: skip
    target = Target.objects.create(indicator_code="dropout_rate", fiscal_year=2569, value=1.5)
    rule = fw.rules.create(
        code="fuzz_range", kind="range", severity="warning",
        params={"indicator": "supervision_coverage", "min": 0, "max": 100}, message_th="ช่วง", message_en="range",
    )  # fmt: skip
    return {
        "report_id": report.pk, "value_id": value.pk, "problem_id": problem.pk, "work_id": work.pk,
        "evidence_id": evidence.pk, "round_id": rnd.pk, "framework_id": fw.pk,
        "indicator_code": "supervision_coverage", "section_code": "s1_management",
        "section_id": fw.sections.order_by("pk").first().pk,  # type: ignore[union-attr]
        "rule_id": rule.pk, "target_id": target.pk,
    }  # fmt: skip


def _insights_objects(world: World) -> dict[str, int | str]:
    """One object per insights route parameter (each slice's builder; the fuzzer is national)."""
    from suksa.domains.insights.models import InsightRun, PracticeFinding
    from suksa.domains.insights.tests import (
        objects_alerts,
        objects_briefs,
        objects_drafting,
        objects_runs,
        objects_schools,
        objects_strengths,
        objects_trends,
    )

    run_id = objects_runs.b_run_id(world)
    InsightRun.objects.filter(pk=run_id).update(is_current=True)  # pages read the current run
    practice = PracticeFinding.objects.create(
        run_id=run_id, key="mentoring", name_th="ครูพี่เลี้ยง", verdict="too_few"
    )
    return {
        "trend_id": objects_trends.b_trend_id(world), "unit_id": objects_strengths.b_unit_id(world),
        "group_id": objects_schools.b_group_id(world), "alert_id": objects_alerts.b_alert_id(world),
        "notification_id": objects_alerts.b_notification_id(world), "brief_id": objects_briefs.b_brief_id(world),
        "number": objects_briefs.b_number(world), "amendment_id": objects_drafting.b_amendment_id(world),
        "run_id": run_id, "practice_id": practice.pk,
    }  # fmt: skip


def _cockpit_objects(world: World) -> dict[str, int | str]:
    """The cockpit's figures and summary in the current run, so that its reads return rows (the
    figures of every level, a small cell, movers of several ESAs). Its routes take no path
    parameter; call after ``_insights_objects``, which makes the run current."""
    from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world

    cockpit_world(world)
    return {}


def generated_schema() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))  # type: ignore[no-any-return]


def _keep_fuzzer_admin(world: World, username: str) -> None:
    """Undo what the fuzzer may have done to its own account (a revoked role, a lost flag)."""
    user = world.user(username)
    if not RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).exists():
        RoleAssignment.objects.create(user=user, role=Role.SYSADMIN, unit=world.nation)


def _fuzz(strategy: Any, world: World, headers: dict[str, str]) -> set[int]:
    """Run one operation's examples; return the status codes seen."""
    seen: set[int] = set()

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        cache.clear()  # throttles would otherwise turn later examples into 429s
        _keep_fuzzer_admin(world, "fuzzer")
        response = case.call(headers=headers)
        seen.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    check()
    return seen


@pytest.fixture
def keep_test_connection() -> Any:
    """Calling the raw WSGI app fires close_old_connections, which closes a PostgreSQL connection
    that sits inside the test's transaction (its autocommit differs from the settings). Django's
    test client disconnects these receivers for the same reason; do likewise."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_operation_conforms_to_the_schema(world: World, keep_test_connection: None) -> None:
    fuzzer = make_user("fuzzer", Role.SYSADMIN, world.nation)
    # Also the bureau, so that the monitoring reads (which a system administrator is not given) run.
    RoleAssignment.objects.create(user=fuzzer, role=Role.NATIONAL_ME_OFFICER, unit=world.nation)
    world.users["fuzzer"] = fuzzer
    token = Token.objects.create(user=fuzzer)
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "th"}

    schema = schemathesis.openapi.from_dict(generated_schema())
    schema.app = application
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18

    # Generated ids rarely exist; half the cases use ids of the world so that 2xx paths run too.
    known = {
        "code": world.school_a1_1.code,
        "user_id": world.user("staff_a1_1").pk,
        "assignment_id": RoleAssignment.objects.get(user=world.user("teacher_a1_1")).pk,
        **_student_objects(world),
        **_monitoring_objects(world),
        **_insights_objects(world),
        **_cockpit_objects(world),
    }
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        strategy = operation.as_strategy()
        if operation.path_parameters:
            fixed = {p.name: known[p.name] for p in operation.path_parameters}
            if operation.path.startswith("/api/v1/esa/"):
                fixed["code"] = world.esa_a1.code
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters=fixed))
        try:
            statuses[name] = _fuzz(strategy, world, headers)
        except Exception as exc:  # collect every operation's failure, not only the first
            failures.append(f"{name}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The fuzzer must get past validation on every read, or it proves little.
    reads = {op for op in statuses if op.startswith("GET ") and op not in NOT_FOR_A_NATIONAL_SYSADMIN}
    never_ok = {op: sorted(statuses[op]) for op in reads if not any(200 <= c < 300 for c in statuses[op])}
    assert never_ok == {}
