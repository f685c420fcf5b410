"""The cockpit stage: lights, arrows, peers, provinces, schools, movers; idempotent and refreshable."""

from __future__ import annotations

import io
import statistics

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from suksa.core.models import School
from suksa.domains.cockpit.models import Arrow, Figure, Level, Light, Summary
from suksa.domains.cockpit.services.aggregate import (
    KEY_INDICATORS,
    arrow_of_change,
    arrow_of_series,
    build_cockpit,  # noqa: F401  (registered as a stage on import)
    improvement_of,
    light_for,
    refresh,
)
from suksa.domains.cockpit.tests.conftest import CockpitTiny
from suksa.domains.insights.models import InsightRun, SchoolDeviance, Strength
from suksa.domains.insights.services.data import load_round_data
from suksa.domains.insights.services.run import stages


@pytest.mark.parametrize(
    ("value", "target", "direction", "light"),
    [
        (80.0, 80.0, 1, Light.GREEN),  # on target
        (81.0, 80.0, 1, Light.GREEN),  # beyond, the good way
        (77.0, 80.0, 1, Light.AMBER),  # 3 short: within 5 % of 80 (4)
        (75.0, 80.0, 1, Light.RED),  # 5 short
        (1.0, 1.0, -1, Light.GREEN),  # lower is better, on target
        (1.04, 1.0, -1, Light.AMBER),
        (1.2, 1.0, -1, Light.RED),
        (0.5, 1.0, -1, Light.GREEN),
        (100.0, 100.0, 0, Light.GREEN),  # neutral: closest is best
        (106.0, 100.0, 0, Light.AMBER),
        (89.0, 100.0, 0, Light.RED),
        (50.0, None, 1, Light.NONE),
        (None, 50.0, 1, Light.NONE),
    ],
)
def test_light_by_direction(value: float | None, target: float | None, direction: int, light: str) -> None:
    assert light_for(value, target, direction) == light


def test_improvement_and_arrows() -> None:
    assert improvement_of(2.0, 1) == 2.0
    assert improvement_of(2.0, -1) == -2.0
    assert improvement_of(2.0, 0) is None
    assert improvement_of(None, 1) is None
    assert arrow_of_change(None, 10) == Arrow.NONE
    assert arrow_of_change(0.04, 10) == Arrow.FLAT  # under 0.5 % of the level
    assert arrow_of_change(0.06, 10) == Arrow.UP
    assert arrow_of_change(-1, 10) == Arrow.DOWN
    rising = [(str(2560 + i), 2560.0 + i, 30.0 + i) for i in range(6)]
    assert arrow_of_series(rising, 1.0, 35.0) == (Arrow.UP, True)
    short = rising[:3]
    assert arrow_of_series(short, 1.0, 32.0) == (Arrow.UP, False)  # too few for a test: last change
    noisy = [(str(2560 + i), 2560.0 + i, v) for i, v in enumerate([30, 32, 29, 31, 30, 31])]
    assert arrow_of_series(noisy, 1.0, 31.0) == (Arrow.FLAT, False)


def test_the_stage_runs_last_in_the_insights_run() -> None:
    keys = [s.key for s in stages()]
    assert keys[-1] == "cockpit"
    assert keys.index("briefs") < keys.index("cockpit")


def _check_figures_of_the_tiny_nation(cockpit_tiny: CockpitTiny) -> None:
    run = cockpit_tiny.run
    assert run.stages["cockpit"]["status"] == "done"
    data = load_round_data(cockpit_tiny.round, with_flags=False)
    figs = Figure.objects.filter(run=run)
    by_level = dict(figs.values_list("level").annotate(n=Count("id")))
    # Every (unit, indicator) series of the nation, regions and ESAs gives one figure.
    expected_units = sum(
        1 for (u, c), pts in data.series.items() if u in data.units and c in data.indicators and pts
    )
    assert by_level[Level.NATION] + by_level[Level.REGION] + by_level[Level.ESA] == expected_units
    assert run.stages["cockpit"]["counts"]["figures"] == figs.count()

    # A nation figure: the latest point, the previous one, its target and light.
    nation = data.nation
    for code in cockpit_tiny.summary.key_indicators:
        fig = figs.get(level=Level.NATION, indicator=code)
        pts = data.series[(nation.id, code)]
        assert (fig.period, fig.value) == (pts[-1].period, pts[-1].value)
        assert fig.previous == pts[-2].value
        assert fig.change == pytest.approx(pts[-1].value - pts[-2].value, abs=1e-6)
        assert fig.target == data.targets.get((code, nation.id))
        assert fig.light == light_for(fig.value, fig.target, data.indicators[code].direction)
        assert fig.source == pts[-1].source
        assert fig.series[-1] == [pts[-1].period, pts[-1].value]
        assert fig.unit_id == nation.id
        assert fig.parent_id is None
    assert cockpit_tiny.summary.key_indicators == [c for c in KEY_INDICATORS if c in data.indicators]


def _check_esa_peers_are_esas_of_the_same_type(cockpit_tiny: CockpitTiny) -> None:
    run = cockpit_tiny.run
    figs = list(
        Figure.objects.filter(run=run, level=Level.ESA, indicator="onet_mean_p6").select_related("unit__esa")
    )
    by_type: dict[str, list[float]] = {}
    for f in figs:
        assert f.unit is not None
        by_type.setdefault(f.unit.esa.esa_type, []).append(f.value or 0.0)
    for f in figs:
        assert f.unit is not None
        values = by_type[f.unit.esa.esa_type]
        assert f.peer["group"] == f"esa_type={f.unit.esa.esa_type}"
        assert f.peer["count"] == len(values)
        assert f.peer["median"] == pytest.approx(statistics.median(values), abs=1e-6)
        assert f.peer["rank"] == 1 + sum(1 for v in values if v > (f.value or 0.0))  # higher is better
    strength = Strength.objects.filter(run=run, indicator="onet_mean_p6").first()
    if strength is not None:
        fig = next(f for f in figs if f.unit_id == strength.unit_id)
        assert fig.peer["strength"]["verdict"] == strength.verdict
        assert fig.peer["strength"]["low"] == strength.low


def _check_province_value_is_the_learner_weighted_mean_of_its_esas(cockpit_tiny: CockpitTiny) -> None:
    run = cockpit_tiny.run
    fig = (
        Figure.objects.filter(run=run, level=Level.PROVINCE, indicator="attendance_rate")
        .order_by("province_id")
        .first()
    )
    assert fig is not None
    assert fig.province_id is not None
    weights = {
        esa: float(n)
        for esa, n in School.objects.filter(province_id=fig.province_id, unit__is_active=True)
        .values("unit__parent_id")
        .annotate(n=Sum("student_count"))
        .values_list("unit__parent_id", "n")
    }
    esa_values = {
        f.unit_id: dict(f.series)
        for f in Figure.objects.filter(
            run=run, level=Level.ESA, indicator="attendance_rate", unit_id__in=list(weights)
        )
    }
    present = {e: w for e, w in weights.items() if fig.period in esa_values.get(e, {})}
    assert sum(present.values()) >= 0.5 * sum(weights.values())
    expected = sum(w * esa_values[e][fig.period] for e, w in present.items()) / sum(present.values())
    assert fig.value == pytest.approx(expected, abs=1e-5)
    assert fig.persons == int(sum(weights.values()))
    assert fig.source["method"] == "learner_weighted_mean_of_esas"
    assert fig.source["esas"] == sorted(e for e in present if e is not None)
    assert fig.unit_id is None


def _check_school_figures_carry_the_school_model_comparison(cockpit_tiny: CockpitTiny) -> None:
    run = cockpit_tiny.run
    figs = Figure.objects.filter(run=run, level=Level.SCHOOL).select_related("unit__school")
    assert figs.exists()
    assert set(figs.values_list("indicator", flat=True)) <= {"onet_mean_p6", "onet_mean_m3", "onet_mean_m6"}
    for f in figs[:20]:
        assert f.unit is not None
        assert f.parent_id == f.unit.parent_id
        assert f.persons == f.unit.school.student_count
    dev = SchoolDeviance.objects.filter(run=run).first()
    if dev is not None:
        fig = figs.get(unit_id=dev.school_id, indicator=dev.indicator)
        assert fig.peer["expected"] == pytest.approx(dev.expected, abs=1e-5)
        assert fig.peer["z"] == pytest.approx(dev.z, abs=1e-3)


def _check_movers_are_the_largest_improvements(cockpit_tiny: CockpitTiny) -> None:
    summary = cockpit_tiny.summary
    for code in summary.key_indicators:
        esas = [
            f
            for f in Figure.objects.filter(run=cockpit_tiny.run, level=Level.ESA, indicator=code)
            if f.improvement is not None
        ]
        best = sorted((f.improvement for f in esas if f.improvement and f.improvement > 0), reverse=True)[:5]
        worst = sorted(f.improvement for f in esas if f.improvement and f.improvement < 0)[:5]
        movers = summary.movers.get(code, {"up": [], "down": []})
        assert [m["improvement"] for m in movers["up"]] == best
        assert [m["improvement"] for m in movers["down"]] == worst
    zs_up = [m["z"] for m in summary.movers["all"]["up"]]
    assert zs_up == sorted(zs_up, reverse=True)
    assert all(z > 0 for z in zs_up)


def _check_refresh_recomputes_the_same_figures_once(cockpit_tiny: CockpitTiny) -> None:
    run = cockpit_tiny.run
    before = sorted(
        Figure.objects.filter(run=run).values_list("level", "unit_id", "province_id", "indicator", "value")
    )
    again = refresh(cockpit_tiny.round)
    assert again.pk == run.pk
    assert again.is_current
    after = sorted(
        Figure.objects.filter(run=run).values_list("level", "unit_id", "province_id", "indicator", "value")
    )
    assert after == before
    assert Summary.objects.filter(run=run).count() == 1
    assert InsightRun.objects.get(pk=run.pk).stages["cockpit"]["status"] == "done"


def _check_refresh_command_prints_counts(cockpit_tiny: CockpitTiny) -> None:
    buf = io.StringIO()
    call_command("cockpit", "refresh", "--round", cockpit_tiny.round.key, stdout=buf)
    out = buf.getvalue()
    n = Figure.objects.filter(run=cockpit_tiny.run).count()
    assert f"Cockpit of {cockpit_tiny.round.key}: run #{cockpit_tiny.run.pk}, {n:,} figures" in out
    assert f"แดชบอร์ดรอบ {cockpit_tiny.round.key}" in out


def test_the_cockpit_of_the_tiny_nation(cockpit_tiny: CockpitTiny) -> None:
    """One build of the tiny nation (slow) checked from every side, then refreshed."""
    _check_figures_of_the_tiny_nation(cockpit_tiny)
    _check_esa_peers_are_esas_of_the_same_type(cockpit_tiny)
    _check_province_value_is_the_learner_weighted_mean_of_its_esas(cockpit_tiny)
    _check_school_figures_carry_the_school_model_comparison(cockpit_tiny)
    _check_movers_are_the_largest_improvements(cockpit_tiny)
    _check_refresh_recomputes_the_same_figures_once(cockpit_tiny)
    _check_refresh_command_prints_counts(cockpit_tiny)


@pytest.mark.django_db
def test_refresh_names_the_round_without_a_run() -> None:
    from suksa.core.errors import InvalidInput
    from suksa.domains.monitoring.tests.factories import make_framework, round_of

    rnd = round_of(make_framework(2569))
    with pytest.raises(InvalidInput) as caught:
        refresh(rnd)
    (problem,) = caught.value.problems
    assert problem.field == "round"
    assert (
        problem.th
        == f"รอบ {rnd.key} ยังไม่มีผลการคำนวณข้อมูลเชิงลึก ให้คำนวณก่อนด้วย suksa insights run --round {rnd.key}"
    )
    assert (
        problem.en
        == f"Round {rnd.key} has no insights run yet: compute one first with suksa insights run --round {rnd.key}"
    )
