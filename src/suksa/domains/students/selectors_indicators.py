"""Reads of stored indicator values, scoped by ``org.view``, and what may leave the office.

Values are aggregates, so anyone who may see a unit (``org.view`` over it) may read them. Small
cells (1–4 persons behind a value) are stored as computed with ``suppressed=True``; they are shown
as computed only *inside the office* that the unit belongs to — to users whose grant is on the unit
itself or, for a school, on its ESA. Every other reader (a region, the nation, another office) gets
them withheld: value, numerator and denominator None and the label "ปกปิด (<5)".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from suksa.analytics.suppression import SUPPRESSED_EN, SUPPRESSED_TH
from suksa.analytics.uis import FORMULA_VERSION
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import IndicatorValue, OrgUnit
from suksa.core.policy import Actor, Perm


def office_paths(unit_path: str) -> set[str]:
    """The paths whose holders are "inside the office" for a unit: the unit and, for a school (depth
    four: nation/region/ESA/school), its ESA."""
    codes = [c for c in unit_path.split("/") if c]
    paths = {unit_path}
    if len(codes) == 4:
        paths.add("/" + "/".join(codes[:3]) + "/")
    return paths


def is_inside_office(actor: Actor, unit_path: str) -> bool:
    own = office_paths(unit_path)
    return any(g.unit_path in own for g in actor.grants_for(Perm.ORG_VIEW))


# Parts of a value's provenance that hold the person counts behind it.
_COUNT_PARTS = ("inputs", "attendance")


def published(value: IndicatorValue, *, inside: bool) -> dict[str, Any]:
    """The value as this reader may see it: a withheld value loses its number, its numerator and
    denominator and the counts in its provenance (any of them could give the small count away)."""
    withheld = value.suppressed and not inside
    source = value.source or {}
    if withheld:
        source = {k: v for k, v in source.items() if k not in _COUNT_PARTS}
    return {
        "source": source,
        "value": None if withheld else value.value,
        "numerator": None if withheld else value.numerator,
        "denominator": None if withheld else value.denominator,
        "suppressed": value.suppressed,
        "withheld": withheld,
        "label_th": SUPPRESSED_TH if withheld else "",
        "label_en": SUPPRESSED_EN if withheld else "",
    }


def _periods(period: str | Sequence[str] | None) -> list[str] | None:
    if period is None:
        return None
    return [period] if isinstance(period, str) else list(period)


def indicator_values_for(
    actor: Actor,
    unit: OrgUnit,
    period: str | Sequence[str] | None = None,
    indicator: str | None = None,
    *,
    formula_version: str = FORMULA_VERSION,
) -> QuerySet[IndicatorValue]:
    """One unit's values (of the current formula version unless told), if the actor may see the unit."""
    if not actor.can(Perm.ORG_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    qs = IndicatorValue.objects.filter(unit=unit, formula_version=formula_version)
    periods = _periods(period)
    if periods is not None:
        qs = qs.filter(period__in=periods)
    if indicator:
        qs = qs.filter(indicator=indicator)
    return qs.order_by("indicator", "period", "breakdown")


def indicator_values_visible_to(
    actor: Actor,
    *,
    unit_code: str | None = None,
    period: str | None = None,
    indicator: str | None = None,
    breakdown: str | None = None,
    formula_version: str | None = FORMULA_VERSION,
) -> QuerySet[IndicatorValue]:
    """Values of every unit in the actor's ``org.view`` scope, filtered (for the API list)."""
    qs = IndicatorValue.objects.filter(actor.scope_q(Perm.ORG_VIEW, "unit__path"))
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    if period:
        qs = qs.filter(period=period)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if breakdown is not None:
        qs = qs.filter(breakdown=breakdown)
    if formula_version:
        qs = qs.filter(formula_version=formula_version)
    return qs.select_related("unit").order_by(
        "unit__path", "indicator", "period", "breakdown", "formula_version"
    )


def years_with_values(actor: Actor, unit: OrgUnit) -> list[int]:
    """Academic years (BE) for which the unit has values, newest first."""
    if not actor.can(Perm.ORG_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    periods = IndicatorValue.objects.filter(unit=unit).values_list("period", flat=True).distinct()
    return sorted({int(p.split("/")[0]) for p in periods if p[:4].isdigit()}, reverse=True)
