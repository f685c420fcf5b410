"""Pre-filling a round: every value the platform holds arrives with its provenance; nothing asked twice."""

from __future__ import annotations

import pytest

from suksa.core.errors import PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import NarrativeEntry, Report, ReportValue
from suksa.domains.monitoring.models.choices import ReportStatus, SourceKind, ValueOrigin
from suksa.domains.monitoring.periods import available_on, default_round_dates, pick_period, round_period
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, on, put_value, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_round_periods_follow_the_fiscal_year() -> None:
    assert round_period(2569, 3) == (on("2025-10-01"), on("2025-12-31"))
    assert round_period(2569, 6) == (on("2025-10-01"), on("2026-03-31"))
    assert round_period(2569, 12) == (on("2025-10-01"), on("2026-09-30"))
    d = default_round_dates(2569, 12)
    assert (d["opens_on"], d["due_on"], d["locks_on"]) == (
        on("2026-09-16"),
        on("2026-11-30"),
        on("2026-12-31"),
    )


def test_a_round_shows_the_latest_period_known_by_its_end() -> None:
    # Flows of AY 2568 exist from 10 June 2026 (31 March + 71 days): not yet at the 6-month round.
    assert available_on("2568", "year", 71) == on("2026-06-10")
    periods = ["2566", "2567", "2568"]
    assert (
        pick_period(periods, "year", round_key="2569/m6", period_end=on("2026-03-31"), lag_days=71) == "2567"
    )
    assert (
        pick_period(periods, "year", round_key="2569/m12", period_end=on("2026-09-30"), lag_days=71) == "2568"
    )
    census = ["2568/jun10", "2568/nov10", "2569/jun10"]
    assert pick_period(census, "census", round_key="2569/m6", period_end=on("2026-03-31")) == "2568/nov10"
    assert (
        pick_period(["2569/m6", "2569/m12"], "round", round_key="2569/m6", period_end=on("2026-03-31"))
        == "2569/m6"
    )
    assert pick_period(["2569/m12"], "round", round_key="2569/m6", period_end=on("2026-03-31")) is None
    assert pick_period(["junk"], "year", round_key="x", period_end=on("2026-03-31")) is None


def test_prefill_fills_platform_values_with_provenance_and_asks_only_the_rest(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "dropout_rate", "2567", 0.021)
    newest = put_value(world.esa_a1, "dropout_rate", "2568", 0.0187)
    put_value(world.esa_a1, "onet_mean_p6", "2568", 41.25, producer="import:niets_onet")
    put_value(world.esa_a1, "budget_disbursement_rate", "2569/m12", 0.0, producer="import:gfmis")

    summary = round_prefill(actor=SYSTEM, round=rnd)

    assert summary.reports_created == 3  # every ESA of the world owes a report
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    values = {
        v.indicator.code: v for v in ReportValue.objects.filter(report=report).select_related("indicator")
    }
    dropout = values["dropout_rate"]
    assert (dropout.origin, dropout.value, dropout.period) == (ValueOrigin.PREFILLED, 1.87, "2568")
    assert dropout.source["value_id"] == newest.pk
    assert dropout.source["producer"] == "students.indicators"
    assert dropout.source["run_id"] == newest.run_id
    assert values["onet_mean_p6"].value == 41.25
    assert values["budget_disbursement_rate"].period == "2569/m12"
    # Held by the platform in general but not for this ESA: shown as no data, never asked.
    assert values["attendance_rate"].origin == ValueOrigin.PREFILLED
    assert values["attendance_rate"].value is None
    assert values["attendance_rate"].source["missing"] is True
    reported = {c for c, v in values.items() if v.origin == ValueOrigin.REPORTED}
    assert reported == {
        "supervision_coverage", "teacher_pd_hours", "action_plan_completion", "children_returned",
        "stakeholder_satisfaction", "sar_submission_rate",
    }  # fmt: skip
    assert NarrativeEntry.objects.filter(report=report).count() == fw.sections.count() == 4
    report.refresh_from_db()
    assert (report.fields_asked, report.fields_prefilled) == (6 + 4 + 5, 22)
    assert AuditEntry.objects.filter(object_type="monitoring.round", object_id=str(rnd.pk)).count() == 1


def test_prefill_again_keeps_what_the_esa_wrote_and_skips_reports_with_the_bureau(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "dropout_rate", "2568", 0.02)
    round_prefill(actor=SYSTEM, round=rnd)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    ReportValue.objects.filter(report=report, indicator__code="teacher_pd_hours").update(value=24.0)
    other = Report.objects.get(round=rnd, esa=world.esa_b1)
    Report.objects.filter(pk=other.pk).update(status=ReportStatus.SUBMITTED)
    put_value(world.esa_a1, "dropout_rate", "2568", 0.03, formula_version="test-2")

    summary = round_prefill(actor=SYSTEM, round=rnd)

    assert (summary.reports_created, summary.reports_filled, summary.reports_skipped) == (0, 2, 1)
    assert ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours").value == 24.0
    assert ReportValue.objects.get(report=report, indicator__code="dropout_rate").value == 3.0
    assert ReportValue.objects.filter(report=report).count() == fw.items.count()


def test_a_past_round_keeps_what_was_known_then(world: World) -> None:
    fw = make_framework(2569)
    put_value(world.esa_a1, "dropout_rate", "2567", 0.02)
    put_value(world.esa_a1, "dropout_rate", "2568", 0.03)
    round_prefill(actor=SYSTEM, round=round_of(fw, "m6"))
    value = ReportValue.objects.get(
        report__round__code="m6", report__esa=world.esa_a1, indicator__code="dropout_rate"
    )
    assert (value.period, value.value) == ("2567", 2.0)


def test_only_the_bureau_prefills(world: World) -> None:
    fw = make_framework(2569)
    actor = actor_for(world.user("esa_director_a1"))
    with pytest.raises(PermissionDenied):
        round_prefill(actor=actor, round=round_of(fw))
    assert not Report.objects.exists()


def test_catalogue_asks_nothing_the_platform_holds() -> None:
    """Report once: no reported indicator may name a figure a platform source produces."""
    from suksa.domains.monitoring.models import Indicator
    from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue

    ensure_catalogue()
    held = {i.source["indicator"] for i in Indicator.objects.exclude(source_kind=SourceKind.REPORTED)}
    asked = set(Indicator.objects.filter(source_kind=SourceKind.REPORTED).values_list("code", flat=True))
    assert held
    assert asked
    assert not (held & asked)


def test_the_national_me_officer_prefills(world: World) -> None:
    fw = make_framework(2569)
    summary = round_prefill(actor=actor_for(world.user("me_officer")), round=round_of(fw))
    assert summary.reports_created == 3


def test_the_command_prefills_a_round_by_its_key(world: World) -> None:
    import io

    from django.core.management import CommandError, call_command

    make_framework(2569)
    out = io.StringIO()
    call_command("prefill_round", "2569/m12", stdout=out)
    assert Report.objects.filter(round__code="m12").count() == 3
    assert "reports created 3, refreshed 3, skipped (submitted) 0" in out.getvalue()
    with pytest.raises(CommandError, match=r"No round “2569/m9”.*known: 2569/m12, 2569/m6"):
        call_command("prefill_round", "2569/m9")


def test_the_bureau_prefills_from_the_framework_page(world: World) -> None:
    from django.test import Client

    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    officer, director = Client(), Client()
    officer.force_login(world.user("me_officer"))
    director.force_login(world.user("esa_director_a1"))
    assert 'data-testid="prefill-m12"' in officer.get(f"/monitoring/frameworks/{fw.pk}/").content.decode()
    assert director.post(f"/monitoring/rounds/{rnd.pk}/prefill/").status_code == 403
    assert not Report.objects.exists()
    response = officer.post(f"/monitoring/rounds/{rnd.pk}/prefill/", follow=True)
    assert Report.objects.filter(round=rnd).count() == 3
    assert "สร้างรายงานใหม่ 3 ฉบับ" in response.content.decode()
