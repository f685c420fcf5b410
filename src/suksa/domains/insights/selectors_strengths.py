"""Reads of strengths and efficiency for pages and the API, scoped to the actor.

An actor sees the rows of the ESAs in their scope (``insights.view`` on the ESA or above it) by
name. Everything about other ESAs is reduced to aggregates: the peer median and count stored on
the viewer's own rows, the number of ESAs per verdict nationally, and — for efficiency — the
reference set as anonymised peers (weights only) plus the composite reference unit (the weighted
inputs and outputs it reaches), never another ESA's name or score. National roles see every row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import Efficiency, InsightRun, Strength
from suksa.domains.insights.selectors import run_for, unit_get, unit_in_scope_q
from suksa.domains.insights.services.strengths import DOMAINS
from suksa.domains.monitoring.models import Round

DEA_MODELS = ("ccr", "bcc")


def sees_all(actor: Actor) -> bool:
    return actor.can_nationally(Perm.INSIGHTS_VIEW)


def bad_domain(value: str) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                code="invalid_domain",
                th=f"ด้าน (domain) ไม่ถูกต้อง ใช้ได้: {', '.join(DOMAINS)}",
                en=f"Invalid domain; use one of: {', '.join(DOMAINS)}",
                field="domain",
            )
        ]
    )


def bad_model(value: str) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                code="invalid_model",
                th="แบบจำลอง (model) ไม่ถูกต้อง ใช้ได้: ccr, bcc",
                en="Invalid model; use ccr or bcc",
                field="model",
            )
        ]
    )


@dataclass
class StrengthBoard:
    round: Round | None
    run: InsightRun | None
    domain: str
    rows: list[Strength]  # named rows the actor may see, best first
    sees_all: bool
    verdict_counts: dict[str, int] = field(default_factory=dict)  # every ESA of the domain, counted
    total: int = 0


def strength_board(actor: Actor, round_id: int | None, domain: str) -> StrengthBoard:
    if domain not in DOMAINS:
        raise bad_domain(domain)
    rnd, run = run_for(round_id)
    board = StrengthBoard(round=rnd, run=run, domain=domain, rows=[], sees_all=sees_all(actor))
    if run is None:
        return board
    base = Strength.objects.filter(run=run, domain=domain, indicator="")
    rows = list(base.filter(unit_in_scope_q(actor)).select_related("unit").order_by("-score", "unit__code"))
    board.rows = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.unit.code))
    counts = dict(base.values_list("verdict").annotate(n=Count("pk")).values_list("verdict", "n"))
    board.verdict_counts = {k: int(v) for k, v in counts.items()}
    board.total = sum(board.verdict_counts.values())
    return board


@dataclass
class UnitStrengths:
    round: Round | None
    run: InsightRun | None
    unit: OrgUnit
    domains: list[Strength]
    indicators: dict[str, list[Strength]]  # domain -> indicator rows


def unit_strengths(actor: Actor, unit_id: int, round_id: int | None) -> UnitStrengths:
    """One ESA's rows. The unit must be in the actor's scope (not merely an ancestor): 404 else."""
    unit = unit_get(actor, unit_id)
    if not actor.can(Perm.INSIGHTS_VIEW, unit.path):  # an ancestor of the scope: nothing of its own
        raise NotFoundOrNoAccess.default()
    rnd, run = run_for(round_id)
    out = UnitStrengths(round=rnd, run=run, unit=unit, domains=[], indicators={})
    if run is None:
        return out
    rows = list(Strength.objects.filter(run=run, unit=unit).order_by("domain", "indicator"))
    order = {d: i for i, d in enumerate(DOMAINS)}
    out.domains = sorted((r for r in rows if not r.indicator), key=lambda r: order.get(r.domain, 99))
    for r in rows:
        if r.indicator:
            out.indicators.setdefault(r.domain, []).append(r)
    return out


@dataclass
class PeerRef:
    label_th: str
    label_en: str
    weight: float
    unit_id: int | None  # None when anonymised
    code: str


@dataclass
class EfficiencyRow:
    row: Efficiency
    peers: list[PeerRef]
    reference: dict[str, dict[str, float]]  # {"inputs": {...}, "outputs": {...}} of the composite


@dataclass
class EfficiencyBoard:
    round: Round | None
    run: InsightRun | None
    model: str
    rows: list[EfficiencyRow]
    sees_all: bool
    summary: dict[str, Any] = field(default_factory=dict)  # every ESA of the run, aggregated


def efficiency_board(actor: Actor, round_id: int | None, model: str) -> EfficiencyBoard:
    if model not in DEA_MODELS:
        raise bad_model(model)
    rnd, run = run_for(round_id)
    everyone = sees_all(actor)
    board = EfficiencyBoard(round=rnd, run=run, model=model, rows=[], sees_all=everyone)
    if run is None:
        return board
    all_rows = list(Efficiency.objects.filter(run=run, model=model).select_related("unit"))
    visible_ids = set(
        Efficiency.objects.filter(run=run, model=model)
        .filter(unit_in_scope_q(actor))
        .values_list("pk", flat=True)
    )
    by_unit = {r.unit_id: r for r in all_rows}
    mine = sorted((r for r in all_rows if r.pk in visible_ids), key=lambda r: (r.score is None, -(r.score or 0), r.unit.code))  # fmt: skip
    visible_units = {r.unit_id for r in mine}
    for r in mine:
        peers = []
        n_anon = 0
        for p in r.peers:
            named = everyone or p["unit_id"] in visible_units
            peer = by_unit.get(p["unit_id"])
            if named and peer is not None:
                peers.append(
                    PeerRef(peer.unit.name_th, peer.unit.name_en, p["weight"], p["unit_id"], peer.unit.code)
                )
            else:
                n_anon += 1
                peers.append(PeerRef(f"เขตอ้างอิง {n_anon}", f"Reference ESA {n_anon}", p["weight"], None, ""))
        board.rows.append(EfficiencyRow(r, peers, _composite(r, by_unit)))
    scores = sorted(r.score for r in all_rows if r.score is not None)
    board.summary = {
        "units": len(all_rows),
        "scored": len(scores),
        "efficient": sum(1 for r in all_rows if r.data.get("efficient")),
        "median": scores[len(scores) // 2] if scores else None,
        "excluded": dict(Counter(r.data.get("excluded") for r in all_rows if r.score is None)),
    }
    return board


def _composite(row: Efficiency, by_unit: dict[int, Efficiency]) -> dict[str, dict[str, float]]:
    """Σ λ · (inputs, outputs) of the reference set: what the benchmark achieves, with what."""
    out: dict[str, dict[str, float]] = {"inputs": {}, "outputs": {}}
    for part in ("inputs", "outputs"):
        for p in row.peers:
            peer = by_unit.get(p["unit_id"])
            if peer is None:
                continue
            for k, v in (peer.data.get(part) or {}).items():
                if v is not None:
                    out[part][k] = out[part].get(k, 0.0) + p["weight"] * float(v)
        out[part] = {k: round(v, 4) for k, v in out[part].items()}
    return out
