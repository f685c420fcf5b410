"""Reads of the org tree, always scoped to the actor.

A unit is *visible* when it lies inside one of the actor's ``org.view`` scopes. Its ancestors
are *navigable* (shown in breadcrumbs and the browser, names only) so that a school director can
walk down from the nation to their school without seeing any sibling. Anything else is reported as
not found, exactly as a missing id would be (no existence oracle).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import OrgUnit, School
from suksa.core.policy import Actor, Perm
from suksa.core.text import search_terms


def units_visible_to(actor: Actor, perm: Perm = Perm.ORG_VIEW) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(actor.scope_q(perm))


def units_navigable_by(actor: Actor) -> QuerySet[OrgUnit]:
    """Visible units plus the ancestors of the actor's scope roots."""
    return OrgUnit.objects.filter(actor.scope_q(Perm.ORG_VIEW) | Q(path__in=actor.ancestor_paths()))


def schools_visible_to(actor: Actor) -> QuerySet[School]:
    return School.objects.filter(actor.scope_q(Perm.ORG_VIEW, "unit__path"))


def unit_get(actor: Actor, code: str) -> OrgUnit:
    unit = units_navigable_by(actor).filter(code=code).first()
    if unit is None:
        raise NotFoundOrNoAccess.default()
    return unit


def unit_is_fully_visible(actor: Actor, unit: OrgUnit) -> bool:
    """True when the actor may see the unit's own figures, not only its name."""
    return actor.can(Perm.ORG_VIEW, unit.path)


def unit_children(actor: Actor, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return units_navigable_by(actor).filter(parent=unit).order_by("name_th")


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the nation down to the unit's parent (one query)."""
    codes = unit.ancestor_codes
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def school_get(actor: Actor, code: str) -> School:
    school = (
        schools_visible_to(actor)
        .select_related("unit", "unit__parent", "province", "district", "subdistrict")
        .filter(unit__code=code)
        .first()
    )
    if school is None:
        raise NotFoundOrNoAccess.default()
    return school


def unit_search(actor: Actor, query: str, kind: str | None = None, limit: int = 50) -> QuerySet[OrgUnit]:
    """Thai-aware search over code, Thai and English names; every term must match."""
    qs = units_visible_to(actor)
    if kind:
        qs = qs.filter(kind=kind)
    terms = search_terms(query)
    if not terms:
        return qs.none()
    for term in terms:
        qs = qs.filter(_term_q(term))
    return qs.select_related("parent").order_by("path")[:limit]


def _term_q(term: str) -> Q:
    """A word matches anywhere; a number matches a whole number in a name (an area number) or,
    from four digits on, the start of a code.

    Otherwise "นนทบุรี เขต 2" would also find เขต 1, whose code 11201 contains a 2, and every
    secondary ESA, whose code starts with 2. The search key is "code | name_th | name_en", so a
    whole number in a name has a space on both sides or ends the key.
    """
    if not term.isdigit():
        return Q(search_text__contains=term)
    q = Q(search_text__contains=f" {term} ") | Q(search_text__endswith=f" {term}")
    return q | Q(search_text__startswith=term) if len(term) >= 4 else q
