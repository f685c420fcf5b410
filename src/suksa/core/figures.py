"""Subtree figures of the org tree: scoped, read-only selectors returning frozen values.

The org browser, the home pages, the API and later modules (monitoring, cockpit) all show the same
figures for a unit: schools, students, teachers, classrooms, the pupil–teacher ratio, schools by size
band and by level type, small schools (≤ 120 pupils) and the urban/rural share. They are computed
here, in the database, over the actor's visible active schools.

Rules kept by every function:

- Scope: figures exist only for a unit the actor may fully see (``org.view`` over it). A unit the
  actor may only walk through (an ancestor of their scope roots) has names, never figures:
  :func:`unit_figures` returns it with ``figures=None`` and its children with ``figures=None``, and
  :func:`figures_by_child` refuses it with :class:`NotFoundOrNoAccess`, exactly as an unknown unit.
- Constant queries: one page's figures cost a fixed number of queries (one grouped query, plus
  one for the children) whether the unit holds four schools or thirty thousand.
- A unit's total is the sum of its active children (closed or merged units stay in the tree for
  history but leave the figures).

The tree's depths are fixed (nation 0, region 1, ESA 2, school 3), so every school's parent is an
ESA: figures are grouped by the school's ESA, which needs no join up the parent chain, and rolled up
to the regions in Python for the nation (245 rows, not 29,000).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from suksa.core import selectors
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.lookups import subtree_q
from suksa.core.models import OrgUnit, School
from suksa.core.models.orgunits import GRADE_ORDER, LEVEL_TYPE_LABELS
from suksa.core.policy import Actor

# OBEC counts a school as "small" at 120 pupils or fewer (the primary small band's upper bound).
SMALL_SCHOOL_MAX = 120

SIZE_BAND_LABELS: dict[str, tuple[str, str]] = {
    "small": ("ขนาดเล็ก", "Small"),
    "medium": ("ขนาดกลาง", "Medium"),
    "large": ("ขนาดใหญ่", "Large"),
    "extra_large": ("ขนาดใหญ่พิเศษ", "Extra large"),
}
UNSET_BAND_LABEL = ("ยังไม่ระบุ", "Not set")
CHILD_KIND: dict[str, str] = {"nation": "region", "region": "esa", "esa": "school"}

_PRIMARY_TOP = GRADE_ORDER[: GRADE_ORDER.index("P6") + 1]
_SECONDARY = GRADE_ORDER[GRADE_ORDER.index("M1") :]
_IS_PRIMARY = Q(highest_grade__in=_PRIMARY_TOP)
_IS_SECONDARY = Q(lowest_grade__in=_SECONDARY) & ~_IS_PRIMARY


def _counts(keys: Iterable[str], values: Mapping[str, int] | None = None) -> Mapping[str, int]:
    values = values or {}
    return MappingProxyType({k: values.get(k, 0) for k in keys})


def _zero_bands() -> Mapping[str, int]:
    return _counts(SIZE_BAND_LABELS)


def _zero_levels() -> Mapping[str, int]:
    return _counts(LEVEL_TYPE_LABELS)


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else a or b


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else a or b


@dataclass(frozen=True)
class Figures:
    """Aggregate counts over a set of schools; ratios and shares are derived, never stored."""

    schools: int = 0
    students: int = 0
    teachers: int = 0
    classrooms: int = 0
    small: int = 0
    urban: int = 0
    bands: Mapping[str, int] = field(default_factory=_zero_bands)
    levels: Mapping[str, int] = field(default_factory=_zero_levels)
    # The period the counts describe: the earliest and latest "counts as of" date among the schools
    # (one census date when every school has reported the same round).
    as_of_first: dt.date | None = None
    as_of_last: dt.date | None = None

    def __post_init__(self) -> None:
        # Every band and level type is present (zero when none) and the mappings are read-only.
        object.__setattr__(self, "bands", _counts(SIZE_BAND_LABELS, self.bands))
        object.__setattr__(self, "levels", _counts(LEVEL_TYPE_LABELS, self.levels))

    @property
    def rural(self) -> int:
        return self.schools - self.urban

    @property
    def unset_band(self) -> int:
        return self.schools - sum(self.bands.values())

    @property
    def pupil_teacher_ratio(self) -> float | None:
        return round(self.students / self.teachers, 1) if self.teachers else None

    @property
    def urban_share(self) -> float | None:
        return self.urban / self.schools if self.schools else None

    @property
    def rural_share(self) -> float | None:
        return self.rural / self.schools if self.schools else None

    @property
    def small_share(self) -> float | None:
        return self.small / self.schools if self.schools else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            schools=self.schools + other.schools,
            students=self.students + other.students,
            teachers=self.teachers + other.teachers,
            classrooms=self.classrooms + other.classrooms,
            small=self.small + other.small,
            urban=self.urban + other.urban,
            bands={k: self.bands[k] + other.bands[k] for k in SIZE_BAND_LABELS},
            levels={k: self.levels[k] + other.levels[k] for k in LEVEL_TYPE_LABELS},
            as_of_first=_earlier(self.as_of_first, other.as_of_first),
            as_of_last=_later(self.as_of_last, other.as_of_last),
        )

    @classmethod
    def total(cls, items: Iterable[Figures]) -> Figures:
        result = cls()
        for item in items:
            result = result + item
        return result

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Figures:
        """From one row of :data:`AGGREGATES`."""
        schools, primary, secondary = row["n_schools"], row["level_primary"], row["level_secondary"]
        return cls(
            schools=schools,
            students=row["n_students"],
            teachers=row["n_teachers"],
            classrooms=row["n_classrooms"],
            small=row["n_small"],
            urban=row["n_urban"],
            bands=_counts(SIZE_BAND_LABELS, {b: row[f"band_{b}"] for b in SIZE_BAND_LABELS}),
            levels=_counts(
                LEVEL_TYPE_LABELS,
                {"primary": primary, "expanded": schools - primary - secondary, "secondary": secondary},
            ),
            as_of_first=row["as_of_first"],
            as_of_last=row["as_of_last"],
        )

    @classmethod
    def of_school(cls, school: School) -> Figures:
        """One school's figures (no query)."""
        bands = {school.size_band: 1} if school.size_band in SIZE_BAND_LABELS else {}
        return cls(
            schools=1,
            students=school.student_count,
            teachers=school.teacher_count,
            classrooms=school.classroom_count,
            small=int(school.student_count <= SMALL_SCHOOL_MAX),
            urban=int(school.area_type == School.AreaType.URBAN),
            bands=_counts(SIZE_BAND_LABELS, bands),
            levels=_counts(LEVEL_TYPE_LABELS, {school.level_type: 1}),
            as_of_first=school.counts_as_of,
            as_of_last=school.counts_as_of,
        )

    def band_rows(self) -> list[tuple[str, tuple[str, str], int]]:
        """``(band, (th, en), schools)`` per size band, plus "not set" when some schools have none."""
        rows = [(b, label, self.bands.get(b, 0)) for b, label in SIZE_BAND_LABELS.items()]
        if self.unset_band:
            rows.append(("", UNSET_BAND_LABEL, self.unset_band))
        return rows

    def level_rows(self) -> list[tuple[str, tuple[str, str], int]]:
        """``(level type, (th, en), schools)`` per level type."""
        return [(k, label, self.levels.get(k, 0)) for k, label in LEVEL_TYPE_LABELS.items()]


EMPTY = Figures()


@dataclass(frozen=True)
class ChildFigures:
    """A child of a unit with its figures; ``figures`` is None when the actor sees names only."""

    unit: OrgUnit
    figures: Figures | None
    school: School | None = None  # the profile of a school child, when it has one


@dataclass(frozen=True)
class UnitFigures:
    """A unit's figures and its active children's, as far as the actor may see them."""

    unit: OrgUnit
    fully_visible: bool
    figures: Figures | None  # None: the actor may only walk through this unit
    children: tuple[ChildFigures, ...]
    child_kind: str | None


# One grouped pass over the schools computes every figure (conditional aggregation).
AGGREGATES = {
    "n_schools": Count("pk"),
    "as_of_first": Min("counts_as_of"),
    "as_of_last": Max("counts_as_of"),
    "n_students": Coalesce(Sum("student_count"), 0),
    "n_teachers": Coalesce(Sum("teacher_count"), 0),
    "n_classrooms": Coalesce(Sum("classroom_count"), 0),
    "n_small": Count("pk", filter=Q(student_count__lte=SMALL_SCHOOL_MAX)),
    "n_urban": Count("pk", filter=Q(area_type=School.AreaType.URBAN)),
    "level_primary": Count("pk", filter=_IS_PRIMARY),
    "level_secondary": Count("pk", filter=_IS_SECONDARY),
    **{f"band_{b}": Count("pk", filter=Q(size_band=b)) for b in SIZE_BAND_LABELS},
}


def _under(unit: OrgUnit, path_field: str = "unit__path") -> Q:
    return subtree_q(unit.path, path_field)


def _require_full_view(actor: Actor, unit: OrgUnit) -> None:
    if not selectors.unit_is_fully_visible(actor, unit):
        raise NotFoundOrNoAccess.default()


def subtree_schools(actor: Actor, unit: OrgUnit) -> QuerySet[School]:
    """The actor's visible, active schools under ``unit`` (a scoped queryset, not yet evaluated)."""
    return selectors.schools_visible_to(actor).filter(_under(unit), unit__is_active=True)


def _rows_by_esa(actor: Actor, unit: OrgUnit) -> list[dict[str, Any]]:
    """One grouped query: the aggregates of the visible active schools under ``unit``, per ESA."""
    return list(subtree_schools(actor, unit).order_by().values("unit__parent_id").annotate(**AGGREGATES))


def figures_by_child(actor: Actor, unit: OrgUnit) -> dict[int, Figures]:
    """Figures per child of ``unit`` keyed by the child's id (children without schools are absent).

    One grouped query for an ESA or a region, two for the nation (the second maps ESAs to regions).
    Raises :class:`NotFoundOrNoAccess` unless the actor may fully see ``unit``.
    """
    _require_full_view(actor, unit)
    if unit.kind == OrgUnit.Kind.ESA:
        return {s.unit_id: Figures.of_school(s) for s in subtree_schools(actor, unit)}
    if unit.kind == OrgUnit.Kind.REGION:
        return {row["unit__parent_id"]: Figures.from_row(row) for row in _rows_by_esa(actor, unit)}
    if unit.kind == OrgUnit.Kind.NATION:
        rows = _rows_by_esa(actor, unit)
        # Active ESAs only, so that a region's row equals the total on the region's own page.
        esas = OrgUnit.objects.filter(parent__parent_id=unit.pk, kind=OrgUnit.Kind.ESA, is_active=True)
        region_of = dict(esas.values_list("pk", "parent_id"))
        by_region: dict[int, Figures] = {}
        for row in rows:
            region_id = region_of.get(row["unit__parent_id"])
            if region_id is not None:
                by_region[region_id] = by_region.get(region_id, EMPTY) + Figures.from_row(row)
        return by_region
    return {}


def unit_figures(actor: Actor, unit: OrgUnit) -> UnitFigures:
    """The unit's figures and its active children's, or names only when it is navigable only.

    ``unit`` must have come from a scoped read (``selectors.unit_get``): this function decides how
    much of it to show, not whether it exists.
    """
    child_kind = CHILD_KIND.get(unit.kind)
    fully_visible = selectors.unit_is_fully_visible(actor, unit)
    if unit.kind == OrgUnit.Kind.SCHOOL:
        school = subtree_schools(actor, unit).first() if fully_visible else None
        figures = Figures.of_school(school) if school is not None else (EMPTY if fully_visible else None)
        return UnitFigures(
            unit=unit, fully_visible=fully_visible, figures=figures, children=(), child_kind=None
        )
    children_qs = selectors.unit_children(actor, unit).filter(is_active=True)
    children_qs = children_qs.defer("search_text", "created_at", "updated_at")
    if not fully_visible:
        # An ancestor the actor may only walk through: names of their own branch, never figures.
        names = tuple(ChildFigures(unit=c, figures=None) for c in children_qs)
        return UnitFigures(
            unit=unit, fully_visible=False, figures=None, children=names, child_kind=child_kind
        )
    rows: list[ChildFigures] = []
    if unit.kind == OrgUnit.Kind.ESA:
        # The schools and their profiles in one query through the parent index (no subtree scan).
        for child in children_qs.select_related("school"):
            school = getattr(child, "school", None)  # a unit without a profile yet has none
            rows.append(
                ChildFigures(
                    unit=child,
                    figures=Figures.of_school(school) if school is not None else EMPTY,
                    school=school,
                )
            )
    else:
        by_child = figures_by_child(actor, unit)
        rows = [ChildFigures(unit=c, figures=by_child.get(c.pk, EMPTY)) for c in children_qs]
    total = Figures.total(r.figures for r in rows if r.figures is not None)
    return UnitFigures(
        unit=unit, fully_visible=True, figures=total, children=tuple(rows), child_kind=child_kind
    )
