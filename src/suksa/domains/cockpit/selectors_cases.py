"""Reads of the cockpit's case gallery: the shortlisted case studies with the evidence behind each.

The shortlist and who sees which pick are those of insights
(:func:`suksa.domains.insights.selectors_cases.cases`): national readers see every pick, an
inspector the picks in their region, an ESA reader their own ESA's pick if it was picked. This
module adds, for the picks the actor sees, what a card shows — the ESA's work checks, the strengths
and practice findings the pick rests on, the ESA's figures on the run's key indicators (value,
period, source), the names of its positive-deviant schools, and the briefs about it — with a fixed
number of queries whatever the number of picks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from suksa.core.models import OrgUnit
from suksa.core.policy import Actor
from suksa.domains.cockpit.models import Figure, Level, Summary
from suksa.domains.insights import selectors_cases as insights_cases
from suksa.domains.insights.models import Brief, CaseStudyPick, PracticeFinding, Strength, WorkCheck
from suksa.domains.insights.selectors_briefs import briefs_visible
from suksa.domains.monitoring.models import Round

NUMBERS = 4  # key-indicator figures on a card


@dataclass
class Card:
    """One pick with what supports it."""

    pick: CaseStudyPick
    checks: list[WorkCheck] = field(default_factory=list)
    strengths: list[Strength] = field(default_factory=list)
    practice: PracticeFinding | None = None
    figures: list[Figure] = field(default_factory=list)
    schools: list[OrgUnit] = field(default_factory=list)  # positive-deviant schools named
    brief: Brief | None = None  # the latest brief about the ESA the actor may read


@dataclass
class Gallery:
    round: Round | None
    cards: list[Card]
    total: int  # picks in the run (all target areas), whatever the actor sees
    national: bool
    ready: bool  # the round has a run
    latest_brief: Brief | None  # the latest brief of the round the actor may read
    key_indicators: list[str]


def _strength_ids(pick: CaseStudyPick) -> list[int]:
    return [int(s["strength_id"]) for s in pick.evidence.get("strengths", []) if s.get("strength_id")]


def _school_codes(pick: CaseStudyPick) -> list[str]:
    return [str(d["school"]) for d in pick.evidence.get("deviant_schools", []) if d.get("school")]


def gallery(actor: Actor, round_id: int | None) -> Gallery:
    """The round's shortlist as the actor may see it (404 for an unknown round)."""
    base = insights_cases.cases(actor, round_id)
    run = base.run
    if run is None:
        return Gallery(base.round, [], 0, base.national, False, None, [])
    summary = Summary.objects.filter(run=run).first()
    key = list(summary.key_indicators)[:NUMBERS] if summary is not None else []
    cards = {p.esa_id: Card(pick=p) for p in base.picks}
    esa_ids = list(cards)
    visible_briefs = briefs_visible(actor).filter(round=base.round)
    latest = visible_briefs.order_by("-created_at", "-pk").first()
    if esa_ids:
        _fill(
            run.pk, cards, key, list(visible_briefs.filter(unit_id__in=esa_ids).order_by("created_at", "pk"))
        )
    return Gallery(base.round, list(cards.values()), base.total, base.national, True, latest, key)


def _fill(run_id: int, cards: dict[int, Card], key: list[str], briefs: list[Brief]) -> None:
    esa_ids = list(cards)
    picks = [c.pick for c in cards.values()]
    for check in (
        WorkCheck.objects.filter(run_id=run_id, esa_id__in=esa_ids)
        .select_related("work")
        .order_by("esa_id", "work__rank", "pk")
    ):
        cards[check.esa_id].checks.append(check)
    strength_ids = [i for p in picks for i in _strength_ids(p)]
    strengths = {
        s.pk: s for s in Strength.objects.filter(run_id=run_id, pk__in=strength_ids, unit_id__in=esa_ids)
    }
    themes = {p.theme for p in picks if p.theme}
    practices = {f.key: f for f in PracticeFinding.objects.filter(run_id=run_id, key__in=themes)}
    by_code: dict[str, OrgUnit] = {}
    codes = [c for p in picks for c in _school_codes(p)]
    if codes:
        by_code = {
            u.code: u for u in OrgUnit.objects.filter(code__in=codes, kind="school", parent_id__in=esa_ids)
        }
    figures: dict[int, dict[str, Figure]] = defaultdict(dict)
    if key:
        for f in Figure.objects.filter(
            run_id=run_id, level=Level.ESA, unit_id__in=esa_ids, indicator__in=key
        ):
            if f.unit_id is not None:
                figures[f.unit_id][f.indicator] = f
    for brief in briefs:
        cards[brief.unit_id].brief = brief  # ordered oldest first: the latest wins
    for esa_id, card in cards.items():
        pick = card.pick
        card.strengths = [strengths[i] for i in _strength_ids(pick) if i in strengths]
        card.practice = practices.get(pick.theme)
        card.schools = [
            by_code[c] for c in _school_codes(pick) if c in by_code and by_code[c].parent_id == esa_id
        ]
        card.figures = [figures[esa_id][c] for c in key if c in figures[esa_id]]
