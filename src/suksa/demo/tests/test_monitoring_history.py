"""The synthetic monitoring history on the tiny demo: rounds, reports, Thai texts, the open round,
the planted truth and its file, determinism, and the learners' computed values left alone."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from suksa.core.models import IndicatorRun, IndicatorValue, OrgUnit
from suksa.core.policy import Perm
from suksa.demo.data import HOME_ESA_CODE
from suksa.demo.generator import generate
from suksa.demo.monitoring.plan import (
    CURRENT_ROUND,
    FORMULA_VERSION,
    GENERATOR,
    PAST_ROUNDS,
    REPORT_ROUNDS,
    SPEC,
    cell_of,
    denominator,
    esa_series,
    round_key,
)
from suksa.demo.monitoring.truth import TruthMismatch, planted_truth, read_truth, truth_from_db, units_from_db
from suksa.demo.monitoring.writer import _apply_platform_decoy, load_world
from suksa.demo.students import DEMO_TODAY
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.domains.monitoring.models import (
    MAX_WORKS,
    Framework,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportEditTime,
    ReportValue,
    Review,
    Round,
    Target,
    TargetArea,
)
from suksa.domains.monitoring.models.choices import ReportStatus, ValueOrigin
from suksa.domains.monitoring.seed import INDICATORS

pytestmark = pytest.mark.slow
SEED = 2569
CURRENT_DAY = DEMO_TODAY
THAI = re.compile(r"[\u0E00-\u0E7F]")
SCALE_OF = {i["code"]: float(i["source"].get("scale", 1)) for i in INDICATORS}


@pytest.fixture
def truth_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def tiny(db: None, truth_dir: Path) -> dict[str, Any]:
    """The tiny demo as `suksa demo --scale tiny` makes it: learners, then the monitoring history."""
    return generate(scale="tiny", seed=SEED, records="tiny", monitoring=True)


def rounds_by_key() -> dict[str, Round]:
    return {r.key: r for r in Round.objects.select_related("framework")}


def test_six_years_of_rounds_every_esa_reports_and_statuses_follow_the_plan(tiny: dict[str, Any]) -> None:
    truth = read_truth(check=True)
    esas = dict(OrgUnit.objects.filter(kind="esa").values_list("code", "pk"))
    rounds = rounds_by_key()
    history = tiny["monitoring"]

    assert len(esas) == 9
    assert Framework.objects.count() == 7  # FY 2564–2570
    assert history["rounds_reported"] == len(REPORT_ROUNDS) == 12
    assert rounds["2570/m3"].phase(CURRENT_DAY) == "upcoming"
    assert not Report.objects.filter(round__framework__fiscal_year=2570).exists()
    past = [k for k in (round_key(*r) for r in PAST_ROUNDS) if rounds[k].phase(CURRENT_DAY) == "locked"]
    assert len(past) == 11 >= 6
    # Every ESA has a report in every round (the service created them); one per ESA and round.
    per_round = dict(
        Report.objects.values_list("round_id").annotate(n=Count("id")).values_list("round_id", "n")
    )
    assert all(per_round[rounds[round_key(*r)].pk] == 9 for r in REPORT_ROUNDS)
    for key in past:
        planted = truth["reports"]["past"][key]
        reports = {r.esa.code: r for r in Report.objects.filter(round=rounds[key]).select_related("esa")}
        never = {c for c, r in reports.items() if r.status == ReportStatus.DRAFT}
        assert never == set(planted["missing"])
        assert all(reports[c].submitted_at is None for c in never)
        assert {r.status for c, r in reports.items() if c not in never} == {ReportStatus.LOCKED}
        due = rounds[key].due_on
        submitted_on = {
            c: timezone.localdate(r.submitted_at) for c, r in reports.items() if r.submitted_at is not None
        }
        assert all(submitted_on[c] > due for c in planted["late"])
        on_time = set(reports) - never - set(planted["late"]) - set(planted["returned_then_approved"])
        assert all(submitted_on[c] <= due for c in on_time)
        # Locked reports were reviewed and approved, with a rubric score per standard.
        for code in set(reports) - never:
            review = Review.objects.filter(report=reports[code], decision="approved").get()
            assert review.scores.count() == 3
            assert all(1 <= s.score <= 4 for s in review.scores.all())
        returned = {
            r.report.esa.code for r in Review.objects.filter(report__round=rounds[key], decision="returned")
        }
        assert returned == set(planted["returned_then_approved"])
    # Edit time is recorded for every submitted report (the burden figures).
    submitted = Report.objects.exclude(submitted_at=None)
    assert submitted.exists()
    timed = set(ReportEditTime.objects.values_list("report_id", flat=True))
    assert set(submitted.values_list("pk", flat=True)) <= timed
    # Target areas (a stable set) and targets per fiscal year and peer group.
    areas = {fw: set(TargetArea.objects.filter(framework__fiscal_year=fw).values_list("unit__code", flat=True))
             for fw in range(2564, 2571)}  # fmt: skip
    assert len({frozenset(a) for a in areas.values()}) == 1
    assert areas[2569] == set(truth["target_areas"])
    assert HOME_ESA_CODE in areas[2569]
    assert Target.objects.filter(
        indicator_code="dropout_rate", fiscal_year=2569, peer_group="esa_type=primary"
    ).exists()


def test_narratives_are_thai_and_works_at_most_five(tiny: dict[str, Any]) -> None:
    texts = list(NarrativeEntry.objects.exclude(text="").values_list("text", "report__status"))
    assert len(texts) > 300
    for text, _ in texts:
        assert THAI.search(text)
        assert "{" not in text
        assert "}" not in text
        assert "None" not in text
        assert "  " not in text
    # A submitted report meets every section's minimum length.
    locked = NarrativeEntry.objects.filter(report__status=ReportStatus.LOCKED).select_related("section")
    assert all(len(n.text) >= n.section.min_chars for n in locked)
    per_report = Counter(OutstandingWork.objects.values_list("report_id", flat=True))
    assert per_report
    assert max(per_report.values()) <= MAX_WORKS
    for report_id in per_report:
        ranks = sorted(OutstandingWork.objects.filter(report_id=report_id).values_list("rank", flat=True))
        assert ranks == list(range(1, len(ranks) + 1))
    works = OutstandingWork.objects.all()
    assert all(THAI.search(w.title) and THAI.search(w.description) for w in works)
    assert all("{" not in w.title + w.results_claimed for w in works)
    # Practices with a planted effect are named, by the ESAs that adopted them.
    truth = read_truth()
    adopters = defaultdict(set)
    for a in truth["adoptions"]:
        adopters[a["practice"]].add(a["esa"])
    name = truth["practices"]["mentoring"]["name_th"]
    named = set(
        NarrativeEntry.objects.filter(
            text__contains=name, report__round__framework__fiscal_year=2569
        ).values_list("report__esa__code", flat=True)
    )
    assert named
    assert named <= adopters["mentoring"]
    # Reviewers verified the works of approved reports; the open round's are partly pending.
    assert (
        OutstandingWork.objects.filter(report__status=ReportStatus.LOCKED, verification="pending").count()
        == 0
    )
    assert (
        OutstandingWork.objects.filter(report__status=ReportStatus.LOCKED).exclude(verified_by=None).exists()
    )


def test_the_open_round_is_in_every_state_and_the_home_report_is_the_directors_to_finish(
    tiny: dict[str, Any],
) -> None:
    rnd = Round.objects.get(framework__fiscal_year=CURRENT_ROUND[0], months=CURRENT_ROUND[1])
    states = dict(Report.objects.filter(round=rnd).values_list("esa__code", "status"))
    truth = read_truth()

    assert rnd.phase(CURRENT_DAY) == "open"
    assert states == truth["reports"]["current"]
    assert set(states.values()) == {"draft", "submitted", "in_review", "returned", "approved"}
    home = Report.objects.get(round=rnd, esa__code=HOME_ESA_CODE)
    assert home.status == ReportStatus.DRAFT
    assert home.submitted_at is None
    assert home.lock_version > 0
    reported = dict(
        ReportValue.objects.filter(report=home, origin=ValueOrigin.REPORTED).values_list(
            "indicator__code", "value"
        )
    )
    assert reported.pop("stakeholder_satisfaction") is None  # left for the director
    assert all(v is not None for v in reported.values())
    assert NarrativeEntry.objects.filter(report=home, text="").count() == 1
    assert OutstandingWork.objects.filter(report=home).count() == 3
    director = actor_for(User.objects.get(username="esa_director"))
    assert director.can(Perm.REPORT_EDIT, home.esa.path)
    assert director.can(Perm.REPORT_SUBMIT, home.esa.path)
    # The reviewer persona has submitted reports assigned, and only those waiting for review.
    reviewer = User.objects.get(username="reviewer")
    assigned = Report.objects.filter(round=rnd, reviewer=reviewer)
    assert 0 < assigned.count() <= 30
    assert set(assigned.values_list("status", flat=True)) <= {"submitted", "in_review"}
    returned = Report.objects.get(round=rnd, status=ReportStatus.RETURNED)
    assert returned.returned_reason
    assert Review.objects.filter(report=returned, decision="returned").exists()
    in_review = Report.objects.get(round=rnd, status=ReportStatus.IN_REVIEW)
    assert Review.objects.filter(report=in_review, decided_at=None).exists()


def test_prefilled_values_carry_provenance_and_learners_values_are_never_overwritten(
    tiny: dict[str, Any],
) -> None:
    prefilled = ReportValue.objects.filter(origin=ValueOrigin.PREFILLED).exclude(value=None)
    assert prefilled.count() > 1000
    stored = {
        v.pk: v for v in IndicatorValue.objects.filter(pk__in={p.source["value_id"] for p in prefilled})
    }
    runs = dict(IndicatorRun.objects.values_list("pk", "producer"))
    for value in prefilled.select_related("indicator"):
        src = value.source
        assert {"value_id", "run_id", "producer", "period", "computed_at"} <= set(src)
        assert src["period"] == value.period
        row = stored[src["value_id"]]
        assert runs[src["run_id"]] == src["producer"] == value.indicator.source["producer"]
        assert row.value is not None
        assert value.value == pytest.approx(row.value * SCALE_OF[value.indicator.code], abs=1e-3)
    # Where the students producer computed a figure from learner records, no synthetic twin exists.
    synthetic_runs = set(
        IndicatorRun.objects.filter(parameters__generator=GENERATOR).values_list("pk", flat=True)
    )
    real = set(
        IndicatorValue.objects.filter(breakdown="").exclude(run_id__in=synthetic_runs)
        .values_list("unit_id", "indicator", "period")
    )  # fmt: skip
    fake = set(
        IndicatorValue.objects.filter(run_id__in=synthetic_runs).values_list("unit_id", "indicator", "period")
    )
    assert real
    assert not real & fake
    assert read_truth()["generated"]["platform_values_kept"]
    # The home ESA's enrolment is the one counted from its learners' certified census.
    home = ReportValue.objects.get(
        report__round__framework__fiscal_year=2569, report__round__months=12, report__esa__code=HOME_ESA_CODE,
        indicator__code="enrolment",
    )  # fmt: skip
    assert home.period == "2569/jun10"
    assert home.source["run_id"] not in synthetic_runs
    assert IndicatorRun.objects.get(pk=home.source["run_id"]).producer == "students.indicators"
    # Every synthetic run says what it is.
    for run in IndicatorRun.objects.filter(pk__in=synthetic_runs):
        assert run.parameters["synthetic"] is True
        assert run.sources["generator"] == GENERATOR
        assert run.formula_version == FORMULA_VERSION


def test_truth_file_matches_the_database_and_the_pure_plan(tiny: dict[str, Any]) -> None:
    truth = read_truth(check=True)
    esas, schools = units_from_db()
    pure = planted_truth(SEED, esas=esas, schools=schools)

    assert {k: v for k, v in truth.items() if k not in ("generated", "history")} == pure
    assert truth_from_db(SEED) == pure
    national = planted_truth(SEED)
    assert len(national["esas"]) == 245
    assert len(national["target_areas"]) == 85
    assert {c: national["esas"][c] for c in truth["esas"]} == truth[
        "esas"
    ]  # same ESA, same traits at every scale
    # The planted decoys are in the database as planted.
    world = load_world(SEED)
    decoys = truth["decoys"]
    assert decoys  # 11202: dropouts divided by ten times the enrolment in AY 2564
    for decoy in decoys:
        esa = world.by_code[decoy["esa"]]
        spec = SPEC[decoy["indicator"]]
        if decoy["where"] == "platform":
            true = esa_series(SEED, esa.traits, esa.ctx, spec)[decoy["period"]]
            cells = {spec.code: {decoy["period"]: cell_of(spec, true, denominator(spec, esa.traits, esa.ctx, decoy["period"]))}}  # fmt: skip
            honest = cells[spec.code][decoy["period"]].value
            _apply_platform_decoy(esa.traits, cells)
            planted = cells[spec.code][decoy["period"]].value
            row = IndicatorValue.objects.get(
                unit__code=decoy["esa"],
                indicator=spec.code,
                period=decoy["period"],
                formula_version=FORMULA_VERSION,
            )
            assert row.value is not None
            assert planted is not None
            assert honest is not None
            assert row.value * SCALE_OF[spec.code] == pytest.approx(planted, abs=1e-4)
            assert abs(planted - honest) > 0.25 * abs(honest)
    # Works: every nomination has its claim's truth; labels are the three kinds.
    works = truth["generated"]["works"]
    assert len(works) == OutstandingWork.objects.count()
    assert {w[3] for w in works} <= {"supported", "unsupported", "no_data"}
    assert {"supported", "unsupported"} <= {w[3] for w in works}
    # A file from another database is refused.
    IndicatorRun.objects.filter(parameters__generator=GENERATOR).update(parameters={"generator": GENERATOR})
    with pytest.raises(TruthMismatch, match="suksa demo --replace"):
        read_truth(check=True)


def snapshot() -> dict[str, Any]:
    return {
        "platform": sorted(
            IndicatorValue.objects.filter(formula_version=FORMULA_VERSION).values_list(
                "unit__code", "indicator", "period", "value", "numerator", "denominator"
            )
        ),
        "values": sorted(
            ReportValue.objects.values_list(
                "report__round__framework__fiscal_year",
                "report__round__months",
                "report__esa__code",
                "indicator__code",
                "value",
                "comment",
            )
        ),
        "narratives": sorted(
            NarrativeEntry.objects.values_list(
                "report__round__framework__fiscal_year",
                "report__round__months",
                "report__esa__code",
                "section__code",
                "text",
            )
        ),
        "works": sorted(
            OutstandingWork.objects.values_list(
                "report__round__framework__fiscal_year",
                "report__round__months",
                "report__esa__code",
                "rank",
                "title",
                "results_claimed",
                "verification",
            )
        ),
        "reports": sorted(
            Report.objects.values_list(
                "round__framework__fiscal_year",
                "round__months",
                "esa__code",
                "status",
                "submitted_at",
                "approved_at",
                "reviewer__username",
                "lock_version",
            )
        ),
    }


def test_same_seed_same_history_and_replace_starts_over(db: None, truth_dir: Path) -> None:
    generate(scale="tiny", seed=SEED, monitoring=True)
    first, first_truth = snapshot(), read_truth()

    generate(scale="tiny", seed=SEED, monitoring=True, replace=True)
    again, again_truth = snapshot(), read_truth(check=True)

    assert again == first
    assert first_truth.pop("history") != again_truth.pop("history")
    assert again_truth == first_truth
    assert User.objects.filter(username__startswith="esa-").count() == 9 * 2 - 3  # personas sit in two ESAs
    generate(scale="tiny", seed=SEED, replace=True)  # without monitoring: none of it left behind
    assert not Report.objects.exists()
    assert not Framework.objects.exists()
    assert not IndicatorRun.objects.filter(parameters__generator=GENERATOR).exists()
    assert not User.objects.filter(username__startswith="esa-").exists()


def test_demo_command_prints_the_monitoring_summary(db: None, truth_dir: Path) -> None:
    out = StringIO()
    call_command("demo", "--scale", "tiny", "--records", "none", stdout=out)

    text = out.getvalue()
    assert "ประวัติการติดตาม: 12 รอบ" in text
    assert "Monitoring history: 12 rounds, 108 reports" in text
    assert str(truth_dir / "demo" / "monitoring_truth.json") in text
    assert (truth_dir / "demo" / "monitoring_truth.json").exists()
    out = StringIO()
    call_command("demo", "--scale", "tiny", "--records", "none", "--no-monitoring", "--replace", stdout=out)
    assert "Monitoring history" not in out.getvalue()
    assert not Report.objects.exists()
