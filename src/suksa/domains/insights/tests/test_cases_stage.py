"""The "cases" stage: nominated works checked against this run's numbers; the case-study shortlist."""

from __future__ import annotations

from suksa.domains.insights.models import (
    CaseStudyPick,
    InsightRun,
    NarrativeDoc,
    Strength,
    Trend,
    WorkCheck,
)
from suksa.domains.insights.models.choices import ClaimVerdict, DataQuality, RunStatus
from suksa.domains.insights.services import stages  # noqa: F401  (registers the stages)
from suksa.domains.insights.services.run import run_round
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.insights.tests.objects_cases import report_with_work
from suksa.domains.insights.tests.objects_schools import any_round, group_with
from suksa.domains.monitoring.models import OutstandingWork, TargetArea
from tests.factories import World, make_world


def _trend(
    run: InsightRun, unit_id: int, code: str, direction: str, good: bool | None, sig: bool, **kw: object
) -> Trend:
    return Trend.objects.create(
        run=run, unit_id=unit_id, indicator=code, period_kind="year", n=6 if direction != "too_few" else 3,
        direction=direction, good=good, significant=sig, slope=0.1, **kw,
    )  # fmt: skip


def _setup(w: World) -> tuple[InsightRun, dict[str, OutstandingWork]]:
    rnd = any_round()
    TargetArea.objects.get_or_create(framework=rnd.framework, unit=w.esa_a1)
    TargetArea.objects.get_or_create(framework=rnd.framework, unit=w.esa_b1)
    run = InsightRun.objects.create(round=rnd)
    a1 = w.esa_a1.pk
    _trend(run, a1, "dropout_rate", "down", True, True)
    _trend(run, a1, "onet_mean_p6", "flat", None, False, quality=DataQuality.LABELLED)
    _trend(run, a1, "reading_literacy_rate", "too_few", None, False)
    Strength.objects.create(run=run, unit_id=a1, domain="retention", peer_group="primary", verdict="strong")
    Strength.objects.create(run=run, unit_id=a1, domain="learning", peer_group="primary", verdict="typical")
    works = {
        "trend": report_with_work(rnd, w.esa_a1, codes=["dropout_rate"], title="ลดการออกกลางคัน"),
        "flat": report_with_work(rnd, w.esa_a1, codes=["onet_mean_p6"], title="ยกระดับ O-NET"),
        "none": report_with_work(rnd, w.esa_a1, codes=[], title="กิจกรรมทั่วไป"),
        "few": report_with_work(rnd, w.esa_a1, codes=["reading_literacy_rate"], title="อ่านออกเขียนได้"),
        "school": report_with_work(rnd, w.esa_a1, codes=["no_such_code"], title="โรงเรียนต้นแบบ"),
        "b": report_with_work(rnd, w.esa_b1, codes=["dropout_rate"], title="ผลงานเขต B"),
    }
    # school_a1_1 is a positive deviant of this run; school_a1_2 is named but is not one.
    group_with(run, "onet_mean_p6|primary|small|rural", [w.esa_a1], [w.school_a1_1])
    report = works["school"].report
    NarrativeDoc.objects.create(run=run, esa=w.esa_a1, report=report, source="work", work=works["school"],
                                round_key=rnd.key, schools=[w.school_a1_1.code, w.school_a1_2.code],
                                practices=["multigrade"])  # fmt: skip
    return run, works


def test_each_work_is_checked_against_trends_strengths_and_deviant_schools(db: None) -> None:
    w = make_world()
    run, works = _setup(w)
    run = run_round(run, only=["cases"])
    assert run.status == RunStatus.DONE, run.error
    checks = {c.work_id: c for c in WorkCheck.objects.filter(run=run)}
    assert len(checks) == 6

    trend = checks[works["trend"].pk]
    assert trend.verdict == ClaimVerdict.SUPPORTED
    assert (
        trend.reasons[0]["trend_id"] == Trend.objects.get(run=run, unit=w.esa_a1, indicator="dropout_rate").pk
    )
    assert trend.quality == DataQuality.OK
    assert trend.sentence_th.startswith('ผลงาน "ลดการออกกลางคัน": มีข้อมูลสนับสนุน')
    assert trend.sentence_en.startswith('Work "ลดการออกกลางคัน": supported by the numbers')

    flat = checks[works["flat"].pk]
    assert flat.verdict == ClaimVerdict.UNSUPPORTED
    assert flat.reasons[0]["text_en"].endswith("no significant change")
    assert flat.quality == DataQuality.LABELLED  # the trend it rests on is flagged

    assert checks[works["none"].pk].verdict == ClaimVerdict.NO_DATA
    few = checks[works["few"].pk]
    assert few.verdict == ClaimVerdict.NO_DATA
    assert "too few or constant" in few.reasons[0]["text_en"]

    school = checks[works["school"].pk]
    kinds = [(r["kind"], r.get("school", r.get("code")), r["verdict"]) for r in school.reasons]
    assert kinds == [
        ("indicator", "no_such_code", "no_data"),
        ("school", w.school_a1_1.code, "supported"),
        ("school", w.school_a1_2.code, "unsupported"),
    ]
    assert school.verdict == ClaimVerdict.UNSUPPORTED  # one for, one against: not supported

    # ESA B has no trend of its own: nothing to check against.
    b = checks[works["b"].pk]
    assert (b.esa_id, b.verdict) == (w.esa_b1.pk, ClaimVerdict.NO_DATA)
    assert b.reasons[0]["text_en"].endswith(": no trend for this ESA")


def test_the_shortlist_ranks_target_areas_with_reasons_and_evidence(db: None) -> None:
    w = make_world()
    run, works = _setup(w)
    run = run_round(run, only=["cases"])
    picks = list(CaseStudyPick.objects.filter(run=run))
    assert [(p.esa_id, p.rank) for p in picks] == [(w.esa_a1.pk, 1)]  # ESA B has nothing to show
    pick = picks[0]
    # deviants 1/3·3 + strengths 1/2·2 + supported works 1/3·2 + narratives 1/3·1
    assert pick.score == round(1.0 + 1.0 + 2 / 3 + 1 / 3, 4)
    assert pick.theme == "multigrade"
    assert pick.evidence["deviant_schools"][0]["school"] == w.school_a1_1.code
    assert pick.evidence["supported_works"] == [works["trend"].pk]
    assert pick.evidence["strengths"][0]["domain"] == "retention"
    assert "โรงเรียนต้นแบบ 1 โรง" in pick.reason_th
    assert "1 positive-deviant school(s)" in pick.reason_en
    assert "strong in retention" in pick.reason_en


def test_missing_earlier_stages_degrade_to_no_data_and_say_so(db: None) -> None:
    w = make_world()
    rnd = any_round()
    TargetArea.objects.get_or_create(framework=rnd.framework, unit=w.esa_a1)
    work = report_with_work(rnd, w.esa_a1, codes=["dropout_rate"])
    run = run_round(InsightRun.objects.create(round=rnd), only=["cases"])
    check = WorkCheck.objects.get(run=run, work=work)
    assert check.verdict == ClaimVerdict.NO_DATA
    assert check.reasons[0]["text_en"].endswith("trends were not computed in this run")
    assert not CaseStudyPick.objects.filter(run=run).exists()
    assert run.stages["cases"]["counts"]["available"] == {
        "trends": False, "strengths": False, "deviance": False, "lessons": False,
    }  # fmt: skip


def test_the_tiny_demo_checks_every_work_of_the_round(tiny_history: TinyHistory) -> None:
    run = run_stages(tiny_history.current, only=["trends", "strengths", "deviance", "cases"])
    assert run.status == RunStatus.DONE, run.error
    works = OutstandingWork.objects.filter(report__round=tiny_history.current).count()
    assert works > 0
    assert WorkCheck.objects.filter(run=run).count() == works
    verdicts = set(WorkCheck.objects.filter(run=run).values_list("verdict", flat=True))
    assert ClaimVerdict.SUPPORTED in verdicts
    assert ClaimVerdict.UNSUPPORTED in verdicts
    picks = list(CaseStudyPick.objects.filter(run=run))
    targets = set(
        TargetArea.objects.filter(framework=tiny_history.current.framework).values_list("unit_id", flat=True)
    )
    assert picks
    assert {p.esa_id for p in picks} <= targets
    assert [p.rank for p in picks] == list(range(1, len(picks) + 1))
    assert all(p.reason_th and p.reason_en for p in picks)
    assert all("lessons" in p.reason_en for p in picks)  # the lessons stage did not run: said so
