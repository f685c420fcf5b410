"""Reads of census rounds and returns, scoped to the actor.

Counts are aggregates: anyone with ``org.view`` over a school sees its return (no learner appears
in a return). Per-head counts (:func:`headcounts`) come from certified returns only — certified or
acknowledged — plus their amendments. Each read here runs a fixed number of queries whatever the
number of schools. Exports that leave the office pass through :func:`suppressed_board_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from suksa.analytics.suppression import suppress_count
from suksa.analytics.uis import LEVELS, level_of
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.lookups import subtree_q
from suksa.core.models import CensusDate, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students.models import CensusAmendment, CensusCount, CensusReturn, CensusRound
from suksa.domains.students.models.choices import GRADE_ORDER

CERTIFIED_STATUSES = (CensusReturn.Status.CERTIFIED, CensusReturn.Status.ACKNOWLEDGED)
BOARD_STATUSES = ("missing", "draft", "certified", "acknowledged")
# Ids beyond a 64-bit integer cannot exist (and SQLite refuses to bind them): not found.
PK_MAX = 2**63 - 1


# --- rounds and returns --------------------------------------------------------------------------


def rounds_all() -> QuerySet[CensusRound]:
    """Rounds are national objects every signed-in user shares; what they show is scoped."""
    return CensusRound.objects.select_related("census_date", "census_date__academic_year", "closed_by")


def round_get(round_id: Any) -> CensusRound:
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    if not 0 < pk <= PK_MAX:
        raise NotFoundOrNoAccess.default()
    found = rounds_all().filter(pk=pk).first()
    if found is None:
        raise NotFoundOrNoAccess.default()
    return found


def round_latest() -> CensusRound | None:
    return rounds_all().order_by("-census_date__date").first()


def census_dates_without_round() -> QuerySet[CensusDate]:
    return (
        CensusDate.objects.filter(census_round__isnull=True).select_related("academic_year").order_by("-date")
    )


def returns_visible_to(actor: Actor) -> QuerySet[CensusReturn]:
    return CensusReturn.objects.filter(actor.scope_q(Perm.ORG_VIEW, "school__path"))


def return_get(actor: Actor, return_id: int) -> CensusReturn:
    if not 0 < return_id <= PK_MAX:
        raise NotFoundOrNoAccess.default()
    ret = (
        returns_visible_to(actor)
        .select_related(
            "round", "round__census_date", "round__census_date__academic_year", "school", "school__parent",
            "certified_by", "acknowledged_by",
        )
        .filter(pk=return_id)
        .first()
    )  # fmt: skip
    if ret is None:
        raise NotFoundOrNoAccess.default()
    return ret


def school_returns(actor: Actor, school: OrgUnit) -> QuerySet[CensusReturn]:
    if not actor.can(Perm.ORG_VIEW, school.path):
        raise NotFoundOrNoAccess.default()
    return (
        CensusReturn.objects.filter(school=school)
        .select_related(
            "round",
            "round__census_date",
            "round__census_date__academic_year",
            "certified_by",
            "acknowledged_by",
        )
        .order_by("-round__census_date__date")
    )


@dataclass
class GradeSexTable:
    """Counts by grade × sex with totals (the school page and the return page show it)."""

    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict[str, Any]]:
        out = []
        for g in GRADE_ORDER:
            m, f = self.cells.get((g, "M"), 0), self.cells.get((g, "F"), 0)
            if m or f:
                out.append({"grade": g, "M": m, "F": f, "total": m + f})
        return out

    @property
    def total_m(self) -> int:
        return sum(v for (_, s), v in self.cells.items() if s == "M")

    @property
    def total_f(self) -> int:
        return sum(v for (_, s), v in self.cells.items() if s == "F")

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def return_cells(ret: CensusReturn) -> list[dict[str, Any]]:
    """Every cell of a return (grade × sex × age × repeater): certified count, net amendment, effective."""
    cells: dict[tuple[str, str, int, bool], dict[str, Any]] = {}
    for c in ret.counts.all():
        cells[(c.grade, c.sex, c.age, c.repeater)] = {
            "grade": c.grade, "sex": c.sex, "age": c.age, "repeater": c.repeater,
            "count": c.count, "disabled": c.disabled, "ccl_eligible": c.ccl_eligible, "amended": 0,
        }  # fmt: skip
    for row in ret.amendments.values("grade", "sex", "age", "repeater").annotate(d=Sum("delta")).order_by():
        key = (row["grade"], row["sex"], row["age"], row["repeater"])
        cell = cells.setdefault(
            key,
            {"grade": key[0], "sex": key[1], "age": key[2], "repeater": key[3], "count": 0, "disabled": 0,
             "ccl_eligible": 0, "amended": 0},
        )  # fmt: skip
        cell["amended"] += row["d"]
    for cell in cells.values():
        cell["effective"] = cell["count"] + cell["amended"]
    return sorted(
        cells.values(),
        key=lambda c: (GRADE_ORDER.index(c["grade"]), c["sex"] != "M", c["age"], c["repeater"]),
    )


def return_grade_sex(ret: CensusReturn, *, effective: bool = True) -> GradeSexTable:
    table: dict[tuple[str, str], int] = defaultdict(int)
    for row in ret.counts.values("grade", "sex").annotate(n=Sum("count")).order_by():
        table[(row["grade"], row["sex"])] += row["n"]
    if effective:
        for row in ret.amendments.values("grade", "sex").annotate(n=Sum("delta")).order_by():
            table[(row["grade"], row["sex"])] += row["n"]
    return GradeSexTable(dict(table))


def return_amendments(ret: CensusReturn) -> QuerySet[CensusAmendment]:
    return ret.amendments.select_related("amended_by").order_by("amended_at", "pk")


def return_effective_total(ret: CensusReturn) -> int:
    return ret.student_total + (ret.amendments.aggregate(s=Sum("delta"))["s"] or 0)


# --- per-head counts -----------------------------------------------------------------------------


@dataclass
class Headcounts:
    """Certified per-head counts of a unit for a round, by level and by grade × sex."""

    unit: OrgUnit
    census_round: CensusRound
    by_grade: GradeSexTable
    returns_counted: int

    @property
    def by_level(self) -> dict[str, dict[str, int]]:
        out = {level: {"M": 0, "F": 0, "total": 0} for level in LEVELS}
        for (grade, sex), n in self.by_grade.cells.items():
            level = out[level_of(grade)]
            level[sex] += n
            level["total"] += n
        return out

    @property
    def total(self) -> int:
        return self.by_grade.total


def headcounts(actor: Actor, census_round: CensusRound, unit: OrgUnit) -> Headcounts:
    """Per-head counts of ``unit`` (a school or anything above it) from certified returns only."""
    if not actor.can(Perm.ORG_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    certified = Q(
        census_return__round=census_round, census_return__status__in=CERTIFIED_STATUSES
    ) & subtree_q(unit.path, "census_return__school__path")
    table: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        CensusCount.objects.filter(certified).values("grade", "sex").annotate(n=Sum("count")).order_by()
    ):
        table[(row["grade"], row["sex"])] += row["n"]
    for row in (
        CensusAmendment.objects.filter(certified).values("grade", "sex").annotate(n=Sum("delta")).order_by()
    ):
        table[(row["grade"], row["sex"])] += row["n"]
    counted = (
        CensusReturn.objects.filter(round=census_round, status__in=CERTIFIED_STATUSES)
        .filter(subtree_q(unit.path, "school__path"))
        .count()
    )
    return Headcounts(
        unit=unit, census_round=census_round, by_grade=GradeSexTable(dict(table)), returns_counted=counted
    )


# --- the ESA status board ------------------------------------------------------------------------


@dataclass
class BoardRow:
    school: OrgUnit
    census_return: CensusReturn | None
    total: int | None  # effective (with amendments); None when no snapshot

    @property
    def status(self) -> str:
        return self.census_return.status if self.census_return is not None else "missing"

    @property
    def certified_at(self) -> dt.datetime | None:
        return self.census_return.certified_at if self.census_return else None

    @property
    def acknowledged_at(self) -> dt.datetime | None:
        return self.census_return.acknowledged_at if self.census_return else None


@dataclass
class EsaBoard:
    esa: OrgUnit
    census_round: CensusRound
    rows: list[BoardRow]

    @property
    def by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(BOARD_STATUSES, 0)
        for r in self.rows:
            counts[r.status] += 1
        return counts

    @property
    def acknowledgeable(self) -> int:
        return self.by_status["certified"]


def esa_board(actor: Actor, census_round: CensusRound, esa: OrgUnit) -> EsaBoard:
    """Every active school of the ESA with its return's status and total (four queries)."""
    if esa.kind != OrgUnit.Kind.ESA or not actor.can(Perm.ORG_VIEW, esa.path):
        raise NotFoundOrNoAccess.default()
    schools = list(
        OrgUnit.objects.filter(parent=esa, kind=OrgUnit.Kind.SCHOOL, is_active=True).order_by("code")
    )
    returns = {
        r.school_id: r
        for r in CensusReturn.objects.filter(round=census_round, school__parent=esa).select_related(
            "certified_by", "acknowledged_by"
        )
    }
    deltas = dict(
        CensusAmendment.objects.filter(census_return__round=census_round, census_return__school__parent=esa)
        .values("census_return__school_id")
        .annotate(d=Sum("delta"))
        .order_by()
        .values_list("census_return__school_id", "d")
    )
    rows = []
    for s in schools:
        ret = returns.get(s.pk)
        total = None
        if ret is not None and ret.taken_at is not None:
            total = ret.student_total + (deltas.get(s.pk) or 0)
        rows.append(BoardRow(school=s, census_return=ret, total=total))
    return EsaBoard(esa=esa, census_round=census_round, rows=rows)


def suppressed_board_rows(board: EsaBoard) -> list[dict[str, Any]]:
    """The board as it may leave the office: totals of 1–4 learners withheld (None)."""
    return [
        {
            "school_code": r.school.code,
            "school_name_th": r.school.name_th,
            "status": r.status,
            "total": suppress_count(r.total) if r.total is not None else None,
            "certified_at": r.certified_at,
            "acknowledged_at": r.acknowledged_at,
        }
        for r in board.rows
    ]


def suppressed_headcounts(h: Headcounts) -> dict[str, Any]:
    """Per-head counts as they may leave the office: any cell of 1–4 learners withheld (None)."""
    return {
        "by_level": {
            level: {k: suppress_count(v) for k, v in cells.items()} for level, cells in h.by_level.items()
        },
        "by_grade": [
            {
                "grade": r["grade"],
                "M": suppress_count(r["M"]),
                "F": suppress_count(r["F"]),
                "total": suppress_count(r["total"]),
            }
            for r in h.by_grade.rows
        ],
        "total": suppress_count(h.total),
    }


# --- national progress ---------------------------------------------------------------------------


@dataclass
class EsaProgress:
    esa: OrgUnit
    expected: int
    certified: int  # certified or acknowledged
    acknowledged: int


def round_progress(actor: Actor, census_round: CensusRound) -> list[EsaProgress]:
    """Per ESA the actor may see: schools expected, certified and acknowledged (three queries)."""
    esas = list(OrgUnit.objects.filter(actor.scope_q(Perm.ORG_VIEW), kind=OrgUnit.Kind.ESA).order_by("path"))
    if not esas:
        return []
    esa_ids = [e.pk for e in esas]
    expected = dict(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, is_active=True, parent_id__in=esa_ids)
        .values("parent_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("parent_id", "n")
    )
    done: dict[int, dict[str, int]] = defaultdict(lambda: {"certified": 0, "acknowledged": 0})
    rows = (
        CensusReturn.objects.filter(
            round=census_round, status__in=CERTIFIED_STATUSES, school__parent_id__in=esa_ids
        )
        .values("school__parent_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        d = done[r["school__parent_id"]]
        d["certified"] += r["n"]
        if r["status"] == CensusReturn.Status.ACKNOWLEDGED:
            d["acknowledged"] += r["n"]
    return [
        EsaProgress(
            esa=e,
            expected=expected.get(e.pk, 0),
            certified=done[e.pk]["certified"],
            acknowledged=done[e.pk]["acknowledged"],
        )
        for e in esas
    ]
