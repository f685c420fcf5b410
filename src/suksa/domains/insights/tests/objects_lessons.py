"""Objects of the lessons slice for the route matrix, and a small hand-built lessons world.

URL parameters this slice introduces:

- ``practice_id`` (``insights_practice``): a practice finding is an *aggregate over ESAs* (how many
  name it, the difference of trends), visible to every holder of ``insights.view`` — there is no
  ESA-B practice finding that ESA-A users must not reach, so no ``b_practice_id``.
- ``doc`` (``insights_similar?doc=``): a narrative document. :func:`b_doc` returns one of ESA B
  in a report that is submitted but not approved: ESA-A users must get 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suksa.core.models import OrgUnit
from suksa.domains.insights.models import InsightRun, NarrativeDoc
from suksa.domains.insights.tests.conftest import run_stages
from suksa.domains.monitoring.models import NarrativeEntry, Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.tests.factories import make_framework, round_of

MENTORING_A1 = (
    "สพป.นนทบุรี เขต 1 ดำเนินงานด้านโครงการครูพี่เลี้ยง โดยจับคู่ครูที่มีประสบการณ์กับครูบรรจุใหม่ "
    "สังเกตการสอนในชั้นเรียนเดือนละครั้งและให้ข้อมูลย้อนกลับทันที โรงเรียนบ้านบางกร่างเป็นต้นแบบ"
)
MENTORING_B1 = (
    "สพป.เชียงใหม่ เขต 1 ดำเนินงานด้านโครงการครูพี่เลี้ยง คัดเลือกครูพี่เลี้ยงจากครูที่มีประสบการณ์ "
    "ให้จับคู่กับครูบรรจุใหม่ สังเกตการสอนในชั้นเรียนและให้ข้อมูลย้อนกลับ โรงเรียนบ้านแม่ริมเป็นต้นแบบ"
)
READING_A2 = (
    "คัดกรองความสามารถด้านการอ่านของนักเรียนรายบุคคลทุกภาคเรียน ใช้แบบฝึกแจกลูกสะกดคำ "
    "และกิจกรรมอ่านร่วมกับผู้ปกครองที่บ้าน ขับเคลื่อนการอ่านออกเขียนได้"
)
BUDGET_B1 = (
    "เบิกจ่ายงบประมาณได้ตามแผน ตรวจสอบการใช้จ่ายงบประมาณของโรงเรียนผ่านระบบติดตามรายไตรมาส "
    "และให้คำปรึกษาด้านพัสดุ ติดตั้งอินเทอร์เน็ตให้โรงเรียนในพื้นที่ห่างไกล"
)
DROPOUT_B1_DRAFTISH = (
    "โครงการพาน้องกลับมาเรียน ร่วมกับองค์กรปกครองส่วนท้องถิ่นค้นหาเด็กนอกระบบรายบุคคล "
    "จัดทางเลือกการเรียนที่ยืดหยุ่นให้เด็กที่ออกกลางคันกลับมาเรียน"
)


@dataclass
class LessonsWorld:
    round: Round
    run: InsightRun
    docs: dict[str, NarrativeDoc]  # a1 | a2 | b1 | b1_budget | b1_submitted


def _report(rnd: Round, esa: OrgUnit, status: str, text: str) -> Report:
    report = Report.objects.create(round=rnd, esa=esa, status=status)
    section = rnd.framework.sections.order_by("order", "pk").first()
    assert section is not None
    NarrativeEntry.objects.create(report=report, section=section, text=text)
    return report


def _second(rnd: Round, report: Report, text: str) -> None:
    section = rnd.framework.sections.order_by("order", "pk")[1]
    NarrativeEntry.objects.create(report=report, section=section, text=text)


def build_lessons_world(world: Any) -> LessonsWorld:
    """ESA A1 (approved) and A2 (locked) and B1 (approved) write in the 12-month round; B1's
    6-month report is only submitted. The real lessons stage indexes them; the run is current."""
    fw = make_framework(2569)
    m12, m6 = round_of(fw, "m12"), round_of(fw, "m6")
    _report(m12, world.esa_a1, ReportStatus.APPROVED, MENTORING_A1)
    _report(m12, world.esa_a2, ReportStatus.LOCKED, READING_A2)
    b1 = _report(m12, world.esa_b1, ReportStatus.APPROVED, MENTORING_B1)
    _second(m12, b1, BUDGET_B1)
    _report(m6, world.esa_b1, ReportStatus.SUBMITTED, DROPOUT_B1_DRAFTISH)
    _report(m6, world.esa_a1, ReportStatus.DRAFT, "ร่างที่ยังไม่ส่ง โครงการครูพี่เลี้ยง")
    run = run_stages(m12, only=["lessons"])
    assert run.stages["lessons"]["status"] == "done", run.error
    InsightRun.objects.filter(pk=run.pk).update(is_current=True)
    run.refresh_from_db()
    docs = {}
    for d in NarrativeDoc.objects.filter(run=run).select_related("report", "narrative"):
        key = {
            world.esa_a1.pk: "a1",
            world.esa_a2.pk: "a2",
            world.esa_b1.pk: "b1",
        }[d.esa_id]
        if d.report.status == ReportStatus.SUBMITTED:
            key = "b1_submitted"
        elif d.narrative is not None and d.narrative.text == BUDGET_B1:
            key = "b1_budget"
        docs[key] = d
    assert len(docs) == 5, sorted(docs)
    return LessonsWorld(m12, run, docs)


def b_doc(world: Any) -> int:
    """A narrative document of ESA B from a report submitted but not approved."""
    return build_lessons_world(world).docs["b1_submitted"].pk
