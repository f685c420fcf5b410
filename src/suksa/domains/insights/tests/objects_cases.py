"""Builders of the work-check and case-study tests, and the ESA B object of the route matrix."""

from __future__ import annotations

from suksa.core.models import OrgUnit
from suksa.domains.insights.models import CaseStudyPick, InsightRun, WorkCheck
from suksa.domains.insights.models.choices import ClaimVerdict
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.monitoring.models import OutstandingWork, Report, Round
from tests.factories import World


def report_with_work(
    rnd: Round, esa: OrgUnit, *, codes: list[str], title: str = "ผลงานเด่น"
) -> OutstandingWork:
    report = Report.objects.filter(round=rnd, esa=esa).first() or Report.objects.create(round=rnd, esa=esa)
    rank = OutstandingWork.objects.filter(report=report).count() + 1
    return OutstandingWork.objects.create(
        report=report, rank=rank, title=title, description="รายละเอียด", indicator_codes=codes
    )


def check_of(
    run: InsightRun, work: OutstandingWork, esa: OrgUnit, verdict: str = ClaimVerdict.SUPPORTED
) -> WorkCheck:
    return WorkCheck.objects.create(
        run=run, work=work, esa=esa, verdict=verdict,
        reasons=[{"kind": "indicator", "verdict": verdict, "code": "dropout_rate",
                  "text_th": "อัตราการออกกลางคัน: แนวโน้มดีขึ้นอย่างมีนัยสำคัญ",
                  "text_en": "Dropout rate: a significant improving trend"}],
        sentence_th=f"ผลงาน \"{work.title}\": มีข้อมูลสนับสนุน", sentence_en=f"Work \"{work.title}\": supported",
    )  # fmt: skip


def pick_of(run: InsightRun, esa: OrgUnit, rank: int) -> CaseStudyPick:
    return CaseStudyPick.objects.create(
        run=run, esa=esa, rank=rank, score=5.0 - rank, theme="multigrade",
        reason_th=f"มีโรงเรียนต้นแบบ ({esa.code})", reason_en=f"positive-deviant schools ({esa.code})",
        evidence={"deviant_schools": [], "strengths": [], "supported_works": [], "docs": []},
    )  # fmt: skip


def b_esa(world: World) -> int:
    """ESA B, with a checked work of its own in the current run (``?esa=`` of the work checks)."""
    rnd = any_round()
    run = current_run(rnd)
    if not WorkCheck.objects.filter(run=run, esa=world.esa_b1).exists():
        work = report_with_work(rnd, world.esa_b1, codes=["dropout_rate"], title="ผลงานของเขต B")
        check_of(run, work, world.esa_b1)
    return world.esa_b1.pk
