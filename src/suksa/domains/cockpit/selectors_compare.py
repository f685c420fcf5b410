"""Reads of the cockpit's comparison page: 2–6 ESAs (or 2–6 schools) side by side.

What is compared are the run's precomputed figures (``Figure``) of the chosen units on a set of
indicators (by default the run's key indicators that exist at the units' level, at most
:data:`MAX_INDICATORS`), with reference lines of the aggregates above them (the ESAs' regions and
the nation; the schools' ESAs and the nation) and a context table (size, staffing, region).

Scope follows :mod:`suksa.domains.cockpit.selectors`: every chosen unit must be visible to the actor
(an ESA director: their own ESA and its schools), else 404 — an unknown id and another ESA's id look
the same. Reference lines are the units' ancestors, which every actor who sees the units sees.
Bad input (malformed ids, fewer than 2 or more than 6 units, mixed kinds, an unknown indicator)
raises :class:`InvalidInput` with a bilingual problem naming the parameter. The number of queries
does not depend on how many units are compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import OrgUnit, School
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit.models import Figure
from suksa.domains.cockpit.selectors import CockpitState, can_see_unit, cockpit_state, figures_visible
from suksa.domains.cockpit.selectors_overview import IndicatorMeta as IndicatorName
from suksa.domains.cockpit.selectors_overview import indicator_catalogue as indicator_names

PERM = Perm.INSIGHTS_VIEW
MIN_UNITS = 2
MAX_UNITS = 6
MAX_INDICATORS = 8
KINDS = ("esa", "school")
# The same bound as the platform's size bands: a school of at most 120 learners is small.
SMALL_SCHOOL_MAX = 120
PK_MAX = 2**63 - 1


def _problem(code: str, th: str, en: str, name: str) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field=name)])


def split_values(raw: list[str]) -> list[str]:
    """``["1,2", "3"]`` → ``["1", "2", "3"]``: the comma list of the URL and the repeated values a
    plain form (multi-select, checkboxes) submits, both accepted."""
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def parse_units(raw: list[str]) -> list[int]:
    """The unit ids to compare, in the order given (repeats dropped); ``[]`` when none was asked."""
    values = split_values(raw)
    ids: list[int] = []
    for value in values:
        n = int(value) if value.isascii() and value.isdigit() else 0
        if not 0 < n <= PK_MAX:
            shown = value[:20]
            raise _problem(
                "invalid_units",
                f"รายการหน่วยงาน (units) ไม่ถูกต้อง: “{shown}” ไม่ใช่รหัสหน่วยงาน ต้องเป็นเลขจำนวนเต็มบวกคั่นด้วยจุลภาค",
                f"Invalid units: “{shown}” is not a unit id; give positive whole numbers separated by commas",
                "units",
            )
        if n not in ids:
            ids.append(n)
    if ids and not MIN_UNITS <= len(ids) <= MAX_UNITS:
        raise _problem(
            "units_count",
            f"เลือกหน่วยงานที่จะเปรียบเทียบ (units) {MIN_UNITS}–{MAX_UNITS} แห่ง (เลือกไว้ {len(ids)} แห่ง)",
            f"Choose {MIN_UNITS}–{MAX_UNITS} units to compare (units); {len(ids)} chosen",
            "units",
        )
    return ids


def parse_indicators(raw: list[str], names: dict[str, IndicatorName]) -> list[str]:
    """The indicator codes asked for, in the order given (repeats dropped); ``[]``: the default."""
    codes: list[str] = []
    for code in split_values(raw):
        if code not in names:
            raise _problem(
                "invalid_indicator",
                f"ตัวชี้วัด (indicators) ไม่ถูกต้อง: ไม่มีรหัส {code[:60]} ในแค็ตตาล็อก",
                f"Invalid indicators: no catalogue code {code[:60]}",
                "indicators",
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_INDICATORS:
        raise _problem(
            "indicators_count",
            f"เลือกตัวชี้วัด (indicators) ได้ไม่เกิน {MAX_INDICATORS} ตัว (เลือกไว้ {len(codes)} ตัว)",
            f"Choose at most {MAX_INDICATORS} indicators (indicators); {len(codes)} chosen",
            "indicators",
        )
    return codes


@dataclass(frozen=True)
class Context:
    """What a unit is like: the context table's row (ESA or school)."""

    unit: OrgUnit
    esa_type: str = ""
    region: OrgUnit | None = None  # an ESA's inspection region
    esa: OrgUnit | None = None  # a school's ESA
    schools: int | None = None
    learners: int | None = None
    teachers: int | None = None
    small_share: float | None = None
    size_band: str = ""
    area_type: str = ""

    @property
    def pupil_teacher(self) -> float | None:
        if self.learners is None or not self.teachers:
            return None
        return self.learners / self.teachers


@dataclass
class Comparison:
    """The comparison page's data (``kind`` is ``"esa"``/``"school"``, ``""`` before a choice)."""

    state: CockpitState
    kind: str
    units: list[OrgUnit]
    references: list[OrgUnit]
    codes: list[str]  # compared indicators, in order
    names: dict[str, IndicatorName]
    figures: dict[tuple[int, str], Figure]  # (unit id, code) → figure, units and references
    contexts: list[Context]
    available: dict[str, list[str]] = field(default_factory=dict)  # kind → codes with figures
    defaults: dict[str, list[str]] = field(default_factory=dict)  # kind → the default codes
    esas: list[OrgUnit] = field(default_factory=list)  # the picker's ESAs
    picker_esa: OrgUnit | None = None  # the ESA whose schools the picker lists
    schools: list[OrgUnit] = field(default_factory=list)

    def figure(self, unit_id: int, code: str) -> Figure | None:
        return self.figures.get((unit_id, code))


def _units(actor: Actor, ids: list[int]) -> list[OrgUnit]:
    """The chosen units in the order asked, each visible to the actor and all of one kind."""
    found = {
        u.pk: u
        for u in OrgUnit.objects.filter(pk__in=ids).select_related("parent__parent__parent", "esa", "school")
    }
    units = [found.get(i) for i in ids]
    visible = [u for u in units if u is not None and can_see_unit(actor, u, PERM)]
    if len(visible) != len(ids):
        raise NotFoundOrNoAccess.default()
    kinds = {u.kind for u in visible}
    if len(kinds) != 1 or not kinds <= set(KINDS):
        raise _problem(
            "units_kind",
            "หน่วยงานที่เปรียบเทียบ (units) ต้องเป็นประเภทเดียวกัน: สำนักงานเขตพื้นที่ทั้งหมด หรือโรงเรียนทั้งหมด",
            "The units compared (units) must be of one kind: all ESAs or all schools",
            "units",
        )
    return visible


def _references(actor: Actor, units: list[OrgUnit]) -> list[OrgUnit]:
    """The aggregates drawn as reference lines: the units' parents (regions of ESAs, ESAs of
    schools) and the nation — those the actor sees (all, for anyone who sees the units)."""
    refs: dict[int, OrgUnit] = {}
    nation: OrgUnit | None = None
    for unit in units:
        up = unit.parent
        if up is not None:
            refs.setdefault(up.pk, up)
        while up is not None and up.kind != "nation":
            up = up.parent
        nation = nation or up
    out = sorted(refs.values(), key=lambda u: u.code)
    if nation is not None and nation.pk not in refs:
        out.append(nation)
    return [u for u in out if can_see_unit(actor, u, PERM)]


def _contexts(units: list[OrgUnit]) -> list[Context]:
    if not units or units[0].kind == "school":
        out = []
        for u in units:
            s: School | None = getattr(u, "school", None)
            if s is None:
                out.append(Context(unit=u, esa=u.parent))
                continue
            out.append(
                Context(
                    unit=u,
                    esa=u.parent,
                    esa_type=s.esa_type,
                    learners=s.student_count,
                    teachers=s.teacher_count,
                    size_band=s.size_band,
                    area_type=s.area_type,
                )
            )
        return out
    per_esa = {
        row["unit__parent_id"]: row
        for row in School.objects.filter(unit__parent_id__in=[u.pk for u in units], unit__is_active=True)
        .values("unit__parent_id")
        .annotate(
            schools=Count("pk"),
            learners=Sum("student_count"),
            teachers=Sum("teacher_count"),
            small=Count("pk", filter=Q(student_count__gte=1, student_count__lte=SMALL_SCHOOL_MAX)),
        )
        .order_by()
    }
    out = []
    for u in units:
        row: dict[str, Any] = per_esa.get(u.pk, {})
        n = int(row.get("schools") or 0)
        profile = getattr(u, "esa", None)
        out.append(
            Context(
                unit=u,
                esa_type=profile.esa_type if profile is not None else "",
                region=u.parent,
                schools=n,
                learners=int(row.get("learners") or 0),
                teachers=int(row.get("teachers") or 0),
                small_share=(row.get("small") or 0) / n if n else None,
            )
        )
    return out


def _default_codes(state: CockpitState, available: list[str]) -> list[str]:
    key = list(state.summary.key_indicators) if state.summary is not None else []
    chosen = [c for c in key if c in available]
    return (chosen or available)[:MAX_INDICATORS]


def _picker(
    actor: Actor, units: list[OrgUnit], esa_id: int | None
) -> tuple[list[OrgUnit], OrgUnit | None, list[OrgUnit]]:
    """The ESAs the actor may pick, the ESA whose schools are listed, and its schools."""
    esas = list(
        OrgUnit.objects.filter(kind="esa", is_active=True)
        .filter(actor.scope_q(PERM, "path"))
        .select_related("parent")
        .order_by("code")
    )
    picker_esa: OrgUnit | None = None
    if esa_id is not None:
        picker_esa = next((e for e in esas if e.pk == esa_id), None)
        if picker_esa is None:
            raise NotFoundOrNoAccess.default()
    elif units and units[0].kind == "school":
        picker_esa = units[0].parent
    elif len(esas) == 1:
        picker_esa = esas[0]
    schools: list[OrgUnit] = []
    if picker_esa is not None:
        schools = list(
            OrgUnit.objects.filter(kind="school", is_active=True, parent=picker_esa)
            .filter(actor.scope_q(PERM, "path"))
            .order_by("code")
        )
    return esas, picker_esa, schools


def comparison(
    actor: Actor,
    round_id: int | None,
    unit_ids: list[int],
    codes: list[str],
    esa_id: int | None = None,
    names: dict[str, IndicatorName] | None = None,
) -> Comparison:
    """The comparison of ``unit_ids`` (already parsed: see :func:`parse_units`) on ``codes`` (``[]``:
    the run's key indicators on which a chosen unit has a figure, else the first of those it has,
    up to :data:`MAX_INDICATORS`). 404 for a unit or picker ESA the actor
    may not see or an unknown round; :class:`InvalidInput` for mixed kinds."""
    state = cockpit_state(round_id)
    units = _units(actor, unit_ids) if unit_ids else []
    esas, picker_esa, schools = _picker(actor, units, esa_id)
    names = names if names is not None else indicator_names()
    kind = units[0].kind if units else ""
    available: dict[str, list[str]] = {k: [] for k in KINDS}
    if state.run is not None:
        for level, code in (
            Figure.objects.filter(run=state.run, level__in=KINDS)
            .values_list("level", "indicator")
            .distinct()
            .order_by("level", "indicator")
        ):
            available[level].append(code)
    defaults = {k: _default_codes(state, available[k]) for k in KINDS}
    references = _references(actor, units)
    figures: dict[tuple[int, str], Figure] = {}
    if units and state.run is not None:
        ids = [u.pk for u in units] + [u.pk for u in references]
        wanted = codes or available[kind]
        for f in figures_visible(actor, state.run).filter(unit_id__in=ids, indicator__in=wanted):
            if f.unit_id is not None:
                figures[(f.unit_id, f.indicator)] = f
    if units and not codes:
        # The key indicators on which at least one chosen unit has a figure (not only the references).
        measured = sorted({code for (unit_id, code) in figures if unit_id in unit_ids})
        codes = _default_codes(state, measured)
        figures = {k: f for k, f in figures.items() if k[1] in codes}
    return Comparison(
        state=state, kind=kind, units=units, references=references, codes=codes, names=names,
        figures=figures, contexts=_contexts(units), available=available, defaults=defaults, esas=esas,
        picker_esa=picker_esa, schools=schools,
    )  # fmt: skip
