"""Objects of ESA B for the route matrix (briefs slice): ESA-A users must not reach them."""

from __future__ import annotations

from django.utils import timezone

from suksa.domains.insights.models import Brief, BriefVersion, InsightRun, Strength, Trend
from suksa.domains.insights.models.choices import BriefStatus, RunStatus
from suksa.domains.monitoring.models import Indicator, Round
from suksa.domains.monitoring.tests.factories import make_framework, put_value, round_of
from tests.factories import World


def _round() -> Round:
    """FY 2569's 12-month round (built from the seeded catalogue when missing)."""
    existing = Round.objects.filter(framework__fiscal_year=2569, code="m12").first()
    return existing if existing is not None else round_of(make_framework(2569))


def _brief(world: World) -> Brief:
    existing = Brief.objects.filter(unit=world.esa_b1, topic="learning").first()
    if existing is not None:
        return existing
    brief = Brief.objects.create(
        round=_round(), unit=world.esa_b1, topic="learning", title_th="ข้อเสนอของเขต ข", title_en="ESA B brief",
        status=BriefStatus.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    body = {"summary": {"th": "สรุป", "en": "Summary"}, "findings": [], "recommendations": []}
    trace = {"ok": True, "checked": 0, "failures": []}
    version = BriefVersion.objects.create(
        brief=brief, number=1, body=body, numbers={}, trace=trace, trace_ok=True
    )
    Brief.objects.filter(pk=brief.pk).update(published_version=version)
    return brief


def b_brief_id(world: World) -> int:
    """A published brief about ESA B1 (readable by ESA B and national roles only)."""
    return _brief(world).pk


def b_number(world: World) -> int:
    """Version 1 of ESA B1's brief."""
    _brief(world)
    return 1


def _indicator(domain: str) -> Indicator:
    ind = Indicator.objects.filter(is_current=True, domain=domain, unit="percent").order_by("code").first()
    assert ind is not None, f"the seeded catalogue has a {domain} indicator in per cent"
    return ind


def run_with_results(world: World, rnd: Round) -> InsightRun:
    """A done, current run of ``rnd`` with a falling dropout-like trend of the nation (flow) whose
    values are stored platform values, and a weak strength of ESA B1 in learning."""
    flow = _indicator("flow")
    values = [("2564", 1.84), ("2565", 1.6), ("2566", 1.41), ("2567", 1.2), ("2568", 0.91)]
    stored = [put_value(world.nation, flow.code, p, v) for p, v in values]
    run = InsightRun.objects.create(round=rnd, status=RunStatus.DONE, is_current=True)
    Trend.objects.create(
        run=run, unit=world.nation, indicator=flow.code, period_kind="year", series=[list(pv) for pv in values],
        n=5, direction="down", good=True, slope=-0.2234, significant=True, p_value=0.01,
        data={"points": [{"period": p, "value": v, "source": {"model": "core.IndicatorValue", "id": s.pk}}
                         for (p, v), s in zip(values, stored, strict=True)]},
    )  # fmt: skip
    Strength.objects.create(
        run=run, unit=world.esa_b1, domain="flow", peer_group="primary", peer_count=24, score=-1.2, low=-1.9,
        high=-0.4, verdict="weak", rank=23, rank_low=20, rank_high=24,
    )  # fmt: skip
    return run
