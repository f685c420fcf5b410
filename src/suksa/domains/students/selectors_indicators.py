"""Reads of stored indicator values, scoped by ``org.view``, and what may leave the office.

Values are aggregates, so anyone who may see a unit (``org.view`` over it) may read them. Small
cells (1–4 persons behind a value) are stored as computed with ``suppressed=True``; they are shown
as computed only *inside the office* that the unit belongs to — to users whose grant is on the unit
itself or, for a school, on its ESA. Every other reader (a region, the nation, another office) gets
them withheld: value, numerator and denominator None and the label "ปกปิด (<5)".

Provenance: a value stores only its own part (``source``: its school's return ids or the returns
used, its inputs, the keys of its formula and note); the rest is its ``core.IndicatorRun``. Every
queryset here joins the run and hands out values whose ``source`` is the FULL provenance again
(``provenance``): census rounds and returns, graduates, teachers, attendance window, formula text,
formula version, inputs, note and the run id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.db.models.query import ModelIterable

from suksa.analytics.suppression import SUPPRESSED_EN, SUPPRESSED_TH
from suksa.analytics.uis import FORMULA_VERSION
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import IndicatorValue, OrgUnit
from suksa.core.models.indicators import IndicatorRun
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


def _census_part(run: IndicatorRun, src: dict[str, Any], key: str, i: int) -> dict[str, Any]:
    part = {
        k: v for k, v in (run.sources.get("census", {}).get(key) or {}).items() if k in ("round", "round_id")
    }
    if "ret" in src:
        ret = src["ret"][i] if i < len(src["ret"]) else None
        part["returns"] = [] if ret is None else [ret]
    elif "used" in src:
        part["returns_used"] = src["used"][i] if i < len(src["used"]) else 0
    return part


def provenance(value: IndicatorValue) -> dict[str, Any]:
    """The full provenance of a value: its own ``source`` joined with its run's shared part.

    Values written before runs existed (no run) already hold it all and are returned as they are."""
    src = value.source or {}
    if value.run_id is None or "formula_version" in src:
        return dict(src)
    run = value.run
    if run is None:
        return dict(src)
    info = (run.indicators or {}).get(value.indicator, {})
    reads = info.get("reads", "flows")
    full: dict[str, Any] = {"run": run.pk}
    if reads in ("census", "staffing"):
        full["census"] = _census_part(run, src, "t", 0)
    if reads == "staffing":
        full["teachers"] = {**(run.sources.get("teachers") or {}), **(src.get("teachers") or {})}
    if reads == "flows":
        full["census"] = {"t": _census_part(run, src, "t", 0), "t+1": _census_part(run, src, "t+1", 1)}
        full["graduates"] = run.sources.get("graduates", "")
    if reads == "attendance":
        full["attendance"] = {**(run.sources.get("attendance") or {}), "students": src.get("students")}
    key = src.get("f")
    full["formula"] = (info.get("formulas") or {}).get(key, "") if key else info.get("formula", "")
    full["formula_version"] = value.formula_version
    if "inputs" in src:
        full["inputs"] = src["inputs"]
    if "n" in src:
        full["note"] = (run.notes or {}).get(src["n"], "")
    return full


class _WithProvenance(ModelIterable):
    """Yields values whose ``source`` is the full provenance (the run is joined in the same query)."""

    def __iter__(self) -> Iterator[IndicatorValue]:
        for value in super().__iter__():
            value.source = provenance(value)
            yield value


def with_provenance(qs: QuerySet[IndicatorValue]) -> QuerySet[IndicatorValue]:
    """``qs`` joined with the runs, its values carrying the full provenance in ``source``."""
    qs = qs.select_related("run")
    qs._iterable_class = _WithProvenance
    return qs


# Parts of a value's provenance that hold the person counts behind it.
_COUNT_PARTS = ("inputs", "attendance")


def published(value: IndicatorValue, *, inside: bool) -> dict[str, Any]:
    """The value as this reader may see it: a withheld value loses its number, its numerator and
    denominator and the counts in its provenance (any of them could give the small count away)."""
    withheld = value.suppressed and not inside
    source = provenance(value)
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
    return with_provenance(qs.order_by("indicator", "period", "breakdown"))


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
    return with_provenance(
        qs.select_related("unit").order_by(
            "unit__path", "indicator", "period", "breakdown", "formula_version"
        )
    )


def runs_for(actor: Actor, *, year_be: int | None = None) -> QuerySet[IndicatorRun]:
    """Indicator runs (shared provenance, newest first): aggregates' metadata, visible with
    ``org.view`` anywhere (they name rounds, counts and formulas, no unit's figures)."""
    if not actor.grants_for(Perm.ORG_VIEW):
        return IndicatorRun.objects.none()
    qs = IndicatorRun.objects.all()
    if year_be is not None:
        qs = qs.filter(year_be=year_be)
    return qs.order_by("-started_at", "-pk")


def years_with_values(actor: Actor, unit: OrgUnit) -> list[int]:
    """Academic years (BE) for which the unit has values, newest first."""
    if not actor.can(Perm.ORG_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    periods = IndicatorValue.objects.filter(unit=unit).values_list("period", flat=True).distinct()
    return sorted({int(p.split("/")[0]) for p in periods if p[:4].isdigit()}, reverse=True)
