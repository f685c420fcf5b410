"""indicators_compute: exact values on a hand-built world, roll-up by counts, idempotence, provenance.

The world and its hand-worked figures are described in ``test_indicators_world``.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry, IndicatorValue, OrgUnit
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students import selectors_indicators as sel
from suksa.domains.students.services import indicators as service
from suksa.domains.students.services.indicators import indicators_compute
from suksa.domains.students.tests import test_indicators_world as hand
from tests.factories import World

pytestmark = pytest.mark.django_db

Y, C = "2568", "2568/jun10"


def v(unit: OrgUnit, indicator: str, breakdown: str = "", period: str = Y) -> IndicatorValue:
    """The value with its full provenance (its own source joined with its run's)."""
    qs = IndicatorValue.objects.filter(unit=unit, indicator=indicator, period=period, breakdown=breakdown)
    return sel.with_provenance(qs).get()


def values(unit: OrgUnit, indicator: str, period: str = Y) -> dict[str, float | None]:
    return dict(
        IndicatorValue.objects.filter(unit=unit, indicator=indicator, period=period).values_list(
            "breakdown", "value"
        )
    )


@pytest.fixture
def computed(world: World) -> dict:
    returns = hand.build(world)
    summary = indicators_compute(actor=SYSTEM, year_be=2568)
    return {"returns": returns, "summary": summary}


def test_enrolment_comes_from_certified_returns_with_amendments(world: World, computed: dict) -> None:
    a, b = world.school_a1_1, world.school_a1_2
    assert v(a, "enrolment", period=C).value == 120
    assert v(a, "enrolment", "grade=P3", C).value == 20
    assert v(a, "enrolment", "grade=P3;sex=F", C).value == 10
    assert v(a, "enrolment", "sex=M", C).value == 60
    assert v(a, "enrolment", "level=primary", C).value == 120
    # School B: certified 13 boys, amended +2.
    assert v(b, "enrolment", "grade=P6;sex=M", C).value == 15
    assert v(b, "enrolment", period=C).value == 30
    # Ages only from the ESA up.
    assert not IndicatorValue.objects.filter(unit=a, breakdown__startswith="age=").exists()
    assert v(world.esa_a1, "enrolment", "age=11", C).value == 50
    assert v(world.esa_a1, "enrolment", "age=11;grade=P6", C).value == 50


def test_uncertified_returns_are_ignored(world: World, computed: dict) -> None:
    assert not IndicatorValue.objects.filter(
        unit__in=[world.school_b1_1, world.esa_b1, world.region_2]
    ).exists()
    assert v(world.nation, "enrolment", period=C).value == 120 + 30 + 40
    assert computed["summary"].returns_t == 3
    assert computed["summary"].returns_t1 == 3


def test_flow_rates_per_grade_at_a_school(world: World, computed: dict) -> None:
    a = world.school_a1_1
    for grade in ("P1", "P2", "P3", "P4", "P5"):
        assert v(a, "promotion_rate", f"grade={grade}").value == pytest.approx(0.9, abs=1e-12)
        assert v(a, "repetition_rate", f"grade={grade}").value == pytest.approx(0.1, abs=1e-12)
        assert v(a, "dropout_rate", f"grade={grade}").value == 0
    p6 = v(a, "promotion_rate", "grade=P6")
    assert (p6.value, p6.numerator, p6.denominator) == (17 / 20, 17, 20)
    assert p6.source["formula"] == "G[g,t]/E[g,t]"
    assert v(a, "dropout_rate", "grade=P6").value == pytest.approx(1 / 20)
    # Total by level from summed counts: promotees 18*5 + 17, repeaters 12, of 120.
    assert v(a, "promotion_rate", "level=primary").value == pytest.approx(107 / 120)
    assert v(a, "repetition_rate", "level=primary").value == pytest.approx(12 / 120)
    assert v(a, "dropout_rate", "level=primary").value == pytest.approx(1 / 120)
    assert v(a, "promotion_rate", "level=primary;sex=F").value == pytest.approx(54 / 60)
    assert v(a, "promotion_rate", "level=primary;sex=M").value == pytest.approx(53 / 60)
    # The unit's total over all its grades (breakdown ""), which monitoring reports pre-fill: the
    # school teaches primary only, so it equals the primary level, from the same summed counts.
    total = v(a, "dropout_rate", "")
    assert (total.value, total.numerator, total.denominator) == (pytest.approx(1 / 120), 1, 120)
    assert v(a, "repetition_rate", "").value == pytest.approx(12 / 120)


def test_a_last_grade_with_no_outcomes_and_no_next_level_has_no_promotion_rate(
    world: World, computed: dict
) -> None:
    b = world.school_a1_2
    assert v(b, "repetition_rate", "grade=P6").value == pytest.approx(0.2)
    promotion = v(b, "promotion_rate", "grade=P6")
    assert promotion.value is None
    assert "no year-end outcomes" in promotion.source["note"]
    assert v(b, "dropout_rate", "grade=P6").value is None


def test_survival_by_reconstructed_cohort_with_the_repetition_cap(world: World, computed: dict) -> None:
    survival = v(world.school_a1_1, "survival_rate_p6")
    # Each of P1..P5: PR 0.9, RR 0.1, at most 2 repeats -> 0.9 * (1 + 0.1 + 0.01) per grade.
    assert survival.value == pytest.approx(0.999**5, rel=1e-12)
    assert "at most 2 times" in survival.source["formula"]
    assert v(world.school_a1_1, "survival_rate_p6", "sex=F").value == pytest.approx(0.999**5, rel=1e-12)
    assert not IndicatorValue.objects.filter(unit=world.school_a1_2, indicator="survival_rate_p6").exists()


def test_roll_up_sums_counts_not_rates(world: World, computed: dict) -> None:
    esa = world.esa_a1
    assert v(esa, "enrolment", period=C).value == 150
    # P6: A repeats 2 of 20 (0.1), B 6 of 30 (0.2): the ESA's rate is 8/50, not the mean 0.15.
    rr = v(esa, "repetition_rate", "grade=P6")
    assert (rr.numerator, rr.denominator, rr.value) == (8, 50, pytest.approx(0.16))
    assert v(esa, "promotion_rate", "grade=P6").value == pytest.approx(17 / 50)
    assert v(world.region_1, "enrolment", "level=lower_secondary", C).value == 40


def test_transition_rates_where_the_levels_meet(world: World, computed: dict) -> None:
    region = world.region_1
    assert v(region, "transition_rate_p6_m1").value == pytest.approx(25 / 50)
    etr = v(region, "effective_transition_rate_p6_m1")
    assert (etr.numerator, etr.denominator) == (25, 42)
    # A primary school or ESA without M1 stores no P6 -> M1 transition.
    assert not IndicatorValue.objects.filter(
        unit__in=[world.school_a1_1, world.esa_a1], indicator__startswith="transition"
    ).exists()
    c = world.school_a2_1
    assert v(c, "transition_rate_m3_m4").value == pytest.approx(36 / 40)
    assert v(c, "effective_transition_rate_m3_m4").value == pytest.approx(1.0)
    assert "both grades" in v(c, "transition_rate_m3_m4").source["note"]


def test_pupil_teacher_ratio_and_gender_parity(world: World, computed: dict) -> None:
    assert v(world.school_a1_1, "pupil_teacher_ratio").value == 15
    ptr = v(world.esa_a1, "pupil_teacher_ratio")
    assert (ptr.numerator, ptr.denominator, ptr.value) == (150, 16, 150 / 16)
    assert v(world.region_1, "pupil_teacher_ratio").value == pytest.approx(190 / 96)
    assert v(world.school_a1_1, "gpi_enrolment", period=C).value == 1.0
    gpi = v(world.school_a2_1, "gpi_enrolment", period=C)
    assert "not a GER-based GPI" in gpi.source["note"]
    assert v(world.school_a1_1, "gpi_promotion", "level=primary").value == pytest.approx(54 / 53)
    assert v(world.school_a1_1, "adjusted_gpi_promotion", "level=primary").value == pytest.approx(2 - 53 / 54)


def test_attendance_and_chronic_absenteeism(world: World, computed: dict) -> None:
    a = world.school_a1_1
    assert v(a, "attendance_rate").value == pytest.approx(98 / 100)
    chronic = v(a, "chronic_absenteeism_rate")
    assert (chronic.numerator, chronic.denominator) == (1, 5)
    assert chronic.suppressed is True
    assert v(world.nation, "attendance_rate").value == pytest.approx(0.98)


def test_small_cells_are_flagged_and_kept(world: World, computed: dict) -> None:
    a = world.school_a1_1
    # 2 repeaters of 20: the count behind it is under 5, the value stays stored.
    rr = v(a, "repetition_rate", "grade=P1")
    assert rr.suppressed is True
    assert rr.value == pytest.approx(0.1)
    assert v(a, "enrolment", period=C).suppressed is False
    assert v(world.esa_a1, "repetition_rate", "level=primary").suppressed is False  # 18 of 150


def test_provenance_names_the_returns_rounds_and_formula(world: World, computed: dict) -> None:
    returns = computed["returns"]
    pr = v(world.school_a1_1, "promotion_rate", "grade=P1")
    assert pr.formula_version == service.FORMULA_VERSION
    assert pr.source["census"]["t"] == {
        "round": C,
        "round_id": returns["a_t"].round_id,
        "returns": [returns["a_t"].pk],
    }
    assert pr.source["census"]["t+1"]["returns"] == [returns["a_t1"].pk]
    assert "record-derived" in pr.source["graduates"]
    assert pr.source["inputs"] == {"E[P1,t]": 20, "E[P2,t+1]": 20, "R[P2,t+1]": 2}
    assert v(world.nation, "promotion_rate", "grade=P1").source["census"]["t"]["returns_used"] == 3


def test_a_second_run_rewrites_the_same_rows(world: World, computed: dict) -> None:
    fields = ("indicator", "formula_version", "unit_id", "period", "breakdown", "value", "numerator",
              "denominator", "suppressed", "source")  # fmt: skip
    before = sorted(IndicatorValue.objects.values_list(*fields), key=repr)
    summary = indicators_compute(actor=SYSTEM, year_be=2568)
    after = sorted(IndicatorValue.objects.values_list(*fields), key=repr)
    assert after == before
    assert summary.values_replaced == summary.values_written == len(before)


def test_a_new_formula_version_adds_rows_and_keeps_the_old(
    world: World, computed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = IndicatorValue.objects.count()
    monkeypatch.setattr(service, "FORMULA_VERSION", "uis-2099.1")
    indicators_compute(actor=SYSTEM, year_be=2568)
    assert IndicatorValue.objects.filter(formula_version="uis-2099.1").count() == old
    assert IndicatorValue.objects.exclude(formula_version="uis-2099.1").count() == old


def test_only_national_me_officers_and_administrators_compute(world: World) -> None:
    hand.build(world)
    audits = AuditEntry.objects.count()
    for name in ("director_a1_1", "esa_officer_a1", "executive", "sysadmin_a1"):
        with pytest.raises(PermissionDenied):
            indicators_compute(actor=actor_for(world.user(name)), year_be=2568)
    assert IndicatorValue.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    summary = indicators_compute(actor=actor_for(world.user("me_officer")), year_be=2568)
    assert summary.values_written == IndicatorValue.objects.count() > 0
    entry = AuditEntry.objects.latest("pk")
    assert (entry.object_type, entry.object_id, entry.actor_username) == (
        "core.indicatorvalue",
        "2568",
        "me_officer",
    )


def test_an_unknown_year_is_refused_by_name(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        indicators_compute(actor=SYSTEM, year_be=2400)
    assert caught.value.problems[0].field == "year_be"


def test_without_next_years_round_only_census_date_and_attendance_values(world: World) -> None:
    hand.census_return(world.school_a1_1, 2568, [("P1", "F", 12, False)])
    summary = indicators_compute(actor=SYSTEM, year_be=2568)
    assert any("2569" in note for note in summary.notes)
    assert set(IndicatorValue.objects.values_list("indicator", flat=True)) == {
        "enrolment", "gpi_enrolment", "adjusted_gpi_enrolment", "pupil_teacher_ratio",
    }  # fmt: skip


def test_the_cli_computes_each_year_and_prints_counts_and_seconds(world: World) -> None:
    hand.build(world)
    out = io.StringIO()
    call_command("compute_indicators", "--year", "2568", "--year", "2569", stdout=out)
    text = out.getvalue()
    written = IndicatorValue.objects.filter(period__in=[Y, C]).count()
    assert f"Year 2568 ({service.FORMULA_VERSION}): wrote {written:,} values" in text
    assert "Year 2569" in text
    assert " s (aggregate " in text
