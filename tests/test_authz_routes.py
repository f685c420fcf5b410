"""Every route, enumerated: anonymous callers are turned away, and nobody reaches another ESA's objects.

The per-area matrices (web, API, accounts, imports) test each endpoint in depth. This test walks
the URL resolver so that a route added later cannot escape: it fails until the route is classified
below, and then proves for it that
- an anonymous request is redirected to the login page (web) or answered 401 (API), and
- an ESA-level officer or administrator of ESA A asking for an object of ESA B — by code or id in
  the URL — gets the same answer as for a missing object, the object's name never appears in the
  body, and nothing is written (no role, user or audit change).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from rest_framework.authtoken.models import Token

from suksa.core.models import AuditEntry, Job, OrgUnit
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.cockpit.tests import objects_cockpit
from suksa.domains.insights.tests import (
    objects_alerts,
    objects_briefs,
    objects_drafting,
    objects_runs,
    objects_schools,
    objects_trends,
)
from suksa.domains.monitoring.models import (
    DataProblem,
    EvidenceFile,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportValue,
    Review,
)
from suksa.domains.monitoring.models import Round as MonitoringRound
from suksa.domains.students.models import (
    AttendanceMark,
    CensusReturn,
    CensusRound,
    DuplicateClaim,
    Enrolment,
    Student,
    Transfer,
    YearEndBatch,
)
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World, make_school

# Routes anyone may call. Everything else must refuse an anonymous caller.
PUBLIC = {
    ":healthz",
    ":set_language",
    "web:login",
    "api:auth-token",
    "api:schema",
    "api:docs",
    "api:not-found",
}
# What a URL parameter names, per route: which of ESA B's objects to put in it.
PARAM_TARGET = {
    "api:org-unit-detail": "esa",
    "api:org-unit-children": "esa",
    "api:school-detail": "school",
    "web:org_unit": "esa",
    "web:school": "school",
    "web:school_edit": "school",
    "web:unit_indicators": "esa",
    "api:org-unit-indicators": "esa",
    "web:census_esa": "esa",
    "api:census-esa": "esa",
    **dict.fromkeys(
        [
            "web:attendance_school",
            "web:census_school",
            "web:classroom_list",
            "web:school_register_csv",
            "web:school_register_xlsx",
            "web:year_end",
            "api:attendance-school-missing",
            "api:census-school",
            "api:school-register-csv",
            "api:school-register-xlsx",
            "api:school-rooms",
            "api:school-year-end-apply",
            "api:school-year-end-batches",
            "api:school-year-end-preview",
        ],
        "school",
    ),
}


def _b_student(world: World) -> Student:
    existing = Student.objects.filter(school=world.school_b1_1).first()
    return existing or make_student(world.school_b1_1, first_name_th="ลับเฉพาะ", last_name_th="เขตบี")


def _b_school_2(world: World) -> OrgUnit:
    return OrgUnit.objects.filter(code="1050000002").first() or make_school(
        "1050000002", "โรงเรียนบ้านดอยสะเก็ด", world.esa_b1
    )


def _b_transfer(world: World) -> int:
    student = _b_student(world)
    enrolment = student.enrolments.get(status__in=["active", "pending_transfer"])
    transfer, _ = Transfer.objects.get_or_create(
        student=student, from_enrolment=enrolment, from_school=world.school_b1_1, to_school=_b_school_2(world),
        defaults={"requested_on": enrolment.starts_on},
    )  # fmt: skip
    return transfer.pk


def _b_claim(world: World) -> int:
    student = _b_student(world)
    claim, _ = DuplicateClaim.objects.get_or_create(
        student=student, identifier=student.identifier, claiming_school=_b_school_2(world),
        holding_school=world.school_b1_1,
    )  # fmt: skip
    return claim.pk


def _b_census_return(world: World) -> int:
    census_date = academic_year().census_dates.get(round="jun10")
    census_round, _ = CensusRound.objects.get_or_create(census_date=census_date)
    ret, _ = CensusReturn.objects.get_or_create(round=census_round, school=world.school_b1_1)
    return ret.pk


def _b_batch(world: World) -> int:
    batch, _ = YearEndBatch.objects.get_or_create(school=world.school_b1_1, academic_year=academic_year())
    return batch.pk


def _b_job(world: World) -> int:
    job = Job.objects.create(
        kind="students.import", requested_by=world.user("director_b1_1"), unit=world.school_b1_1
    )
    return job.pk


def _b_report(world: World) -> Report:
    """ESA B's report of a monitoring round, with a value, a work, a problem and an evidence row."""
    from django.utils import timezone

    from suksa.core.policy import SYSTEM
    from suksa.domains.monitoring.services.prefill import round_prefill
    from suksa.domains.monitoring.tests.factories import make_framework

    report = Report.objects.filter(esa=world.esa_b1).first()
    if report is not None:
        return report
    rnd = MonitoringRound.objects.first() or make_framework(2569).rounds.get(code="m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = Report.objects.get(round=rnd, esa=world.esa_b1)
    value = report.values.first()
    assert value is not None
    now = timezone.now()
    work = OutstandingWork.objects.create(report=report, rank=1, title="ลับเฉพาะ", description="ลับเฉพาะ")
    DataProblem.objects.create(
        report=report, value=value, description="ลับเฉพาะ", raised_by="x", raised_at=now
    )
    EvidenceFile.objects.create(
        report=report, work=work, original_name="ลับเฉพาะ.pdf", content_type="application/pdf", size=1,
        sha256="0" * 64, stored_path="evidence/00/" + "0" * 64, uploaded_by="x", uploaded_at=now,
    )  # fmt: skip
    return report


# What a non-code URL parameter names: one of ESA B's objects (built on demand).
ESA_B_OBJECTS: dict[str, Callable[[World], int | str]] = {
    "user_id": lambda w: w.user("director_b1_1").pk,
    "assignment_id": lambda w: RoleAssignment.objects.get(user=w.user("director_b1_1")).pk,
    "student_id": lambda w: _b_student(w).pk,
    "classroom_id": lambda w: _b_student(w).enrolments.get().classroom_id or 0,
    "transfer_id": _b_transfer,
    "claim_id": _b_claim,
    "return_id": _b_census_return,
    "batch_id": _b_batch,
    "job_id": _b_job,
    "report_id": lambda w: _b_report(w).pk,
    "value_id": lambda w: _b_report(w).values.order_by("pk").first().pk,  # type: ignore[union-attr]
    "problem_id": lambda w: _b_report(w).problems.get().pk,
    "work_id": lambda w: _b_report(w).works.get().pk,
    "evidence_id": lambda w: _b_report(w).evidence.get().pk,
    # Shared national objects (rounds, frameworks, catalogue codes): the report id carries the ESA.
    "round_id": lambda w: _b_report(w).round_id,
    "framework_id": lambda w: _b_report(w).round.framework_id,
    "indicator_code": lambda w: "supervision_coverage",
    "section_code": lambda w: "s1_management",
    "section_id": lambda w: _b_report(w).round.framework.sections.order_by("pk").first().pk,  # type: ignore[union-attr]
    "rule_id": lambda w: _b_rule(w),
    "target_id": lambda w: _b_target(w),
    # Insights (issue 5): each slice's builder of an ESA-B object (domains/insights/tests/objects_*).
    "trend_id": objects_trends.b_trend_id,
    # ESA B with its strengths (insights) and its cockpit figures and movers (issue 6).
    "unit_id": objects_cockpit.b_unit_id,
    "group_id": objects_schools.b_group_id,
    "alert_id": objects_alerts.b_alert_id,
    "notification_id": objects_alerts.b_notification_id,
    "brief_id": objects_briefs.b_brief_id,
    "number": objects_briefs.b_number,
    "amendment_id": objects_drafting.b_amendment_id,
    # National analytic objects (a round's run, a practice aggregated over ESAs): what they show
    # is scoped per row, which the slices' own tests prove.
    "run_id": objects_runs.b_run_id,
    "practice_id": lambda w: _b_practice(w),
}
# Parameters that name national reference objects (catalogue, targets, frameworks, rounds and
# their parts): a route taking only these has no "other ESA's object" to reach; what it shows is
# scoped per row, which its area's tests prove.
SHARED_PARAMS = {
    "round_id", "framework_id", "indicator_code", "section_id", "rule_id", "target_id", "run_id", "practice_id",
}  # fmt: skip


def _b_practice(world: World) -> int:
    from suksa.domains.insights.models import PracticeFinding

    run_id = objects_runs.b_run_id(world)
    return PracticeFinding.objects.create(
        run_id=run_id, key="mentoring", name_th="ครูพี่เลี้ยง", verdict="too_few"
    ).pk


def _b_rule(world: World) -> int:
    from suksa.domains.monitoring.models import ValidationRule

    fw = _b_report(world).round.framework
    rule, _ = ValidationRule.objects.get_or_create(
        framework=fw, code="b_rule", defaults={"kind": "range", "severity": "warning",
        "params": {"indicator": "supervision_coverage", "min": 0, "max": 100}, "message_th": "x", "message_en": "x"},
    )  # fmt: skip
    return rule.pk


def _b_target(world: World) -> int:
    from suksa.domains.monitoring.models import Target

    target, _ = Target.objects.get_or_create(
        indicator_code="dropout_rate", fiscal_year=2569, unit=world.esa_b1, defaults={"value": 1.0}
    )
    return target.pk


def routes() -> Iterator[tuple[str, str]]:
    def walk(patterns: list, prefix: str, ns: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue  # the Django admin has its own gate test (tests/test_shell_gates.py)
                yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield f"{ns}:{p.name}", prefix + str(p.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


ROUTES = sorted(set(routes()))


def concrete(pattern: str, values: dict[str, str]) -> str:
    """Turn a route pattern (path converters or regex) into a URL with the given parameters."""
    path = pattern.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    return "/" + path.replace("\\", "")


def params_of(pattern: str) -> list[str]:
    return re.findall(r"\(\?P<(\w+)>", pattern) + re.findall(r"<(?:\w+:)?(\w+)>", pattern)


# Routes whose parameter names an object every signed-in user of the platform shares (a national
# census round, say): they cannot be "another ESA's". Each must be scoped by what it shows, which
# its own area's tests prove.
SHARED_OBJECT_ROUTES: dict[str, str] = {
    name: "national monitoring reference data"
    for name, pattern in ROUTES
    if params_of(pattern) and set(params_of(pattern)) <= SHARED_PARAMS
}


def test_every_route_parameter_is_known() -> None:
    """A new parameter (or a new route taking a code) must say which of ESA B's objects it names."""
    assert {p for _, pattern in ROUTES for p in params_of(pattern)} <= {"code", *ESA_B_OBJECTS}
    with_code = {name for name, pattern in ROUTES if "code" in params_of(pattern)}
    assert with_code == set(PARAM_TARGET)


@pytest.mark.parametrize(("name", "pattern"), [r for r in ROUTES if r[0] not in PUBLIC], ids=lambda v: v)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_turned_away(world: World, name: str, pattern: str, method: str) -> None:
    values = dict.fromkeys(params_of(pattern), "1")
    values.update({"code": world.school_b1_1.code})
    url = concrete(pattern, values)
    before = AuditEntry.objects.count()
    response = getattr(Client(), method)(url)
    if name.startswith("api:"):
        assert response.status_code == 401, url
    elif response.status_code == 405:
        pass  # a method the route does not offer is refused before anything else
    else:
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login/"), url
    assert AuditEntry.objects.count() == before


def _target_values(world: World, name: str, pattern: str) -> dict[str, str]:
    values = {p: str(ESA_B_OBJECTS[p](world)) for p in params_of(pattern) if p in ESA_B_OBJECTS}
    target = PARAM_TARGET.get(name)
    if target == "esa":
        values["code"] = world.esa_b1.code
    elif target == "school":
        values["code"] = world.school_b1_1.code
    return {k: v for k, v in values.items() if k in params_of(pattern)}


def _client(world: World, username: str, api: bool) -> Client:
    user = world.user(username)
    if api:
        token, _ = Token.objects.get_or_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    client = Client()
    client.force_login(user)
    return client


def _state() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(RoleAssignment.objects.order_by("pk").values_list("pk", "role", "unit_id", "revoked_at")),
        list(
            User.objects.order_by("pk").values_list("pk", "password", "is_active", "email", "first_name_th")
        ),
        list(OrgUnit.objects.order_by("pk").values_list("pk", "name_th", "name_en", "path")),
        list(Student.objects.order_by("pk").values_list("pk", "school_id", "first_name_th", "citizen_id")),
        list(Enrolment.objects.order_by("pk").values_list("pk", "status", "classroom_id", "ends_on")),
        list(Transfer.objects.order_by("pk").values_list("pk", "status")),
        list(DuplicateClaim.objects.order_by("pk").values_list("pk", "status")),
        list(CensusReturn.objects.order_by("pk").values_list("pk", "status", "student_total")),
        list(YearEndBatch.objects.order_by("pk").values_list("pk", "status")),
        AttendanceMark.objects.count(),
        list(Job.objects.order_by("pk").values_list("pk", "status")),
        list(Report.objects.order_by("pk").values_list("pk", "status", "lock_version", "reviewer_id")),
        list(ReportValue.objects.order_by("pk").values_list("pk", "value", "comment")),
        list(NarrativeEntry.objects.order_by("pk").values_list("pk", "text")),
        list(OutstandingWork.objects.order_by("pk").values_list("pk", "rank", "title", "verification")),
        list(EvidenceFile.objects.order_by("pk").values_list("pk", "sha256")),
        list(DataProblem.objects.order_by("pk").values_list("pk", "status")),
        Review.objects.count(),
        list(MonitoringRound.objects.order_by("pk").values_list("pk", "due_on", "locks_on")),
        *_insights_state(),
        *_cockpit_state(),
    )


def _insights_state() -> tuple:
    from suksa.core.models import Notification
    from suksa.domains.insights.models import (
        Alert,
        AlertEvent,
        Brief,
        BriefAmendment,
        BriefComment,
        BriefParticipant,
        BriefVersion,
        Endorsement,
        InsightRun,
    )

    return (
        list(Alert.objects.order_by("pk").values_list("pk", "status")),
        AlertEvent.objects.count(),
        list(Brief.objects.order_by("pk").values_list("pk", "status", "published_version_id")),
        BriefVersion.objects.count(),
        list(BriefAmendment.objects.order_by("pk").values_list("pk", "status")),
        BriefComment.objects.count(),
        BriefParticipant.objects.count(),
        Endorsement.objects.count(),
        InsightRun.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    )


def _cockpit_state() -> tuple:
    from suksa.domains.cockpit.models import Figure, Summary

    return (
        list(Figure.objects.order_by("pk").values_list("pk", "value", "persons")),
        list(Summary.objects.order_by("pk").values_list("pk", "movers", "counts")),
    )


@pytest.mark.parametrize(
    ("name", "pattern"),
    [r for r in ROUTES if params_of(r[1]) and r[0] not in PUBLIC and r[0] not in SHARED_OBJECT_ROUTES],
    ids=lambda v: v,
)
@pytest.mark.parametrize("username", ["esa_officer_a1", "esa_director_a1", "sysadmin_a1", "director_a1_1"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_esas_objects_are_out_of_reach(
    world: World, name: str, pattern: str, username: str, method: str
) -> None:
    api = name.startswith("api:")
    client = _client(world, username, api)
    url = concrete(pattern, _target_values(world, name, pattern))
    missing = concrete(pattern, {p: ("9999999999" if p == "code" else "999999") for p in params_of(pattern)})
    before = _state()

    response = getattr(client, method)(url)
    response_missing = getattr(client, method)(missing)

    assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert response.status_code == response_missing.status_code, (url, missing)
    body = response.content.decode()
    for secret in (
        world.school_b1_1.name_th,
        world.esa_b1.name_th,
        world.user("director_b1_1").last_name_th,
        "ลับเฉพาะ",
    ):
        assert secret not in body, (url, secret)
    assert _state() == before


# Routes that name units in their query string rather than their path (issue 6, cockpit): for
# each, the query naming ESA B's objects and the same query with a missing id instead. ``{a}`` is
# ESA A's own ESA (so that a list of units is otherwise valid), ``{b}`` the object of ESA B.
# ``targets``: which of ESA B's units to name (compare takes ESAs and schools only).
QUERY_UNIT_ROUTES: list[tuple[str, str, tuple[str, ...]]] = [
    ("web:cockpit_compare", "units={a},{b}", ("esa", "school")),
    ("web:cockpit_compare", "units={a},{b}&indicators=dropout_rate", ("esa", "school")),
    ("api:cockpit_figures", "unit={b}", ("esa", "school", "region")),
    ("api:cockpit_figures", "parent={b}", ("esa", "school", "region")),
    ("api:cockpit_figures", "parent={b}&level=school", ("esa",)),
]


@pytest.mark.parametrize(
    ("name", "query", "target"),
    [(name, query, target) for name, query, targets in QUERY_UNIT_ROUTES for target in targets],
    ids=lambda v: v,
)
@pytest.mark.parametrize("username", ["esa_officer_a1", "esa_director_a1", "sysadmin_a1", "director_a1_1"])
def test_another_esas_units_in_a_query_are_out_of_reach(
    world: World, name: str, query: str, target: str, username: str
) -> None:
    from django.urls import reverse

    objects_cockpit.b_unit_id(world)  # ESA B's figures exist: a leak would show its name
    b = {"esa": world.esa_b1, "school": world.school_b1_1, "region": world.region_2}[target]
    client = _client(world, username, name.startswith("api:"))
    path = reverse(name)
    url = f"{path}?{query.format(a=world.esa_a1.pk, b=b.pk)}"
    missing = f"{path}?{query.format(a=world.esa_a1.pk, b=999999)}"
    before = _state()

    response = client.get(url)
    response_missing = client.get(missing)

    assert response.status_code in (403, 404), (url, response.status_code)
    assert response.status_code == response_missing.status_code, (url, missing)
    body = response.content.decode()
    for secret in (world.school_b1_1.name_th, world.esa_b1.name_th, world.region_2.name_th, "ลับเฉพาะ"):
        assert secret not in body, (url, secret)
    assert _state() == before
