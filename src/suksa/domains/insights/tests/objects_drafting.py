"""Builders of drafting tests, and the ESA B objects of the route matrix (one per URL parameter).

``make_brief`` writes a brief with one version through ``services.briefs.new_version`` (so the
version carries its trace): two findings and two recommendations whose numbers are entries of the
table :data:`NUMBERS`.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from suksa.core.models import OrgUnit
from suksa.domains.accounts.models import User
from suksa.domains.insights.models import Brief, BriefAmendment, BriefParticipant, BriefVersion
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.services.briefs import new_version
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_user

NUMBERS: dict[str, dict[str, Any]] = {
    "dropout_first": {
        "value": 1.84,
        "display": "1.8",
        "unit_id": None,
        "indicator": "dropout_rate",
        "period": "2564",
        "source": {"model": "core.IndicatorValue", "id": 101},
    },
    "dropout_last": {
        "value": 0.62,
        "display": "0.6",
        "unit_id": None,
        "indicator": "dropout_rate",
        "period": "2568",
        "source": {"model": "core.IndicatorValue", "id": 102},
    },
    "schools": {
        "value": 412,
        "display": "412",
        "unit_id": None,
        "indicator": "school_count",
        "period": "2568",
        "source": {"model": "core.IndicatorValue", "id": 103},
    },
}
REC_1_TH = "ขยายผลการติดตามนักเรียนรายบุคคลไปยังโรงเรียนทั้ง 412 แห่ง"
REC_1_EN = "Extend individual student follow-up to all 412 schools"
REC_2_TH = "จัดสรรครูเพิ่มให้โรงเรียนขนาดเล็ก"
REC_2_EN = "Allocate more teachers to small schools"


def body() -> dict[str, Any]:
    return {
        "topic": "retention",
        "title": {"th": "การคงอยู่ในระบบ", "en": "Retention"},
        "summary": {"th": "อัตราการออกกลางคันลดลงจาก 1.8 เป็น 0.6", "en": "Dropout fell from 1.8 to 0.6"},
        "findings": [
            {
                "key": "f1",
                "text_th": "อัตราการออกกลางคันลดลงจาก 1.8 ในปี 2564 เป็น 0.6 ในปี 2568",
                "text_en": "The dropout rate fell from 1.8 in 2564 to 0.6 in 2568",
                "evidence": ["dropout_first", "dropout_last"],
            }
        ],
        "recommendations": [
            {"key": "r1", "text_th": REC_1_TH, "text_en": REC_1_EN, "evidence": ["schools", "dropout_last"]},
            {"key": "r2", "text_th": REC_2_TH, "text_en": REC_2_EN, "evidence": ["dropout_first"]},
        ],
        "labels": [],
    }


def any_round() -> Round:
    existing = Round.objects.filter(framework__fiscal_year=2569, code="m12").first()
    return existing or round_of(make_framework(2569))


def make_brief(
    unit: OrgUnit,
    *,
    topic: str = "retention",
    status: str = BriefStatus.CONSULTATION,
    rnd: Round | None = None,
) -> Brief:
    brief = Brief.objects.create(
        round=rnd or any_round(),
        unit=unit,
        topic=topic,
        title_th=f"ข้อเสนอเชิงนโยบาย {unit.code} {topic}",
        title_en=f"Policy brief {unit.code} {topic}",
        status=status,
    )
    version = new_version(brief=brief, body=body(), numbers=NUMBERS, actor=None, change_note="v1")
    assert version.trace_ok, version.trace
    return brief


def invite(brief: Brief, *users: User) -> None:
    now = timezone.now()
    for u in users:
        BriefParticipant.objects.get_or_create(brief=brief, user=u, defaults={"invited_at": now})


def esa_b_brief(world: World) -> Brief:
    """A consultation brief about ESA B with ESA B's officer invited and one pending amendment
    (made once per world: later calls return the same brief)."""
    existing = Brief.objects.filter(unit=world.esa_b1, topic="esa_b_retention").first()
    if existing is not None:
        return existing
    brief = make_brief(world.esa_b1, topic="esa_b_retention")
    officer = world.users.get("esa_officer_b1") or make_user("esa_officer_b1_x")
    invite(brief, officer)
    version = BriefVersion.objects.get(brief=brief, number=1)
    BriefAmendment.objects.create(
        brief=brief,
        version=version,
        recommendation_key="r2",
        text_th="จัดสรรครูเพิ่มให้โรงเรียนขนาดเล็กในพื้นที่ห่างไกล",
        author=officer,
    )
    return brief


def b_brief_id(world: World) -> int:
    """A brief about ESA B (drafting routes): ESA A users must not reach it."""
    return esa_b_brief(world).pk


def b_amendment_id(world: World) -> int:
    """An amendment of a brief about ESA B."""
    brief = esa_b_brief(world)
    amendment = BriefAmendment.objects.filter(brief=brief).first()
    assert amendment is not None
    return amendment.pk
