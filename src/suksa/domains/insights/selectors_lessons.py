"""Read rules of the lessons pages: practice findings, topics and narrative documents.

**Who sees what** (decision, see ``docs/guide/insights/lessons.md``):

- Practice findings and topics are *aggregates over ESAs* (how many name a practice, the difference
  of the adopters' and the others' trends with its interval): every holder of ``insights.view``
  sees them, like a peer median.
- A narrative document (an excerpt of what an ESA wrote) is visible to an actor who may see the ESA
  (``insights.view`` in scope), and — because sharing lessons between offices is OBEC's purpose and
  a report the bureau approved is the official record of an office's work, not personal data —
  to any holder of ``insights.view`` **when its report is approved or locked**. Texts of reports
  still submitted or in review stay within the ESA's scope. In another ESA's excerpt the names of
  its schools are masked for a scoped actor (schools are another ESA's data).
- Another ESA's *measured change* (its trend results) is shown only to an actor who may see that
  ESA; others see the practice-level aggregate instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import InsightRun, NarrativeDoc, PracticeFinding, Topic
from suksa.domains.insights.selectors import unit_in_scope_q
from suksa.domains.monitoring.models import NarrativeEntry, OutstandingWork
from suksa.domains.monitoring.models.choices import ReportStatus

OFFICIAL = (ReportStatus.APPROVED, ReportStatus.LOCKED)
MASK_TH = "โรงเรียน[ชื่อโรงเรียน]"
VERDICT_LABELS = {
    "linked": ("เชื่อมโยงกับการเปลี่ยนแปลงที่วัดได้", "Linked to measured change"),
    "no_change": ("ไม่พบการเปลี่ยนแปลงที่ต่างจากเขตอื่น", "No change beyond other ESAs"),
    "too_few": ("ข้อมูลน้อยเกินไป", "Too few data"),
}


def may_view(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.INSIGHTS_VIEW)


def is_national(actor: Actor) -> bool:
    return actor.can_nationally(Perm.INSIGHTS_VIEW)


def doc_visible_q(actor: Actor) -> Q:
    """Docs the actor may read: ESAs in scope, and any ESA's approved or locked report."""
    if not may_view(actor):
        return Q(pk__in=[])
    return unit_in_scope_q(actor, Perm.INSIGHTS_VIEW, field="esa") | Q(report__status__in=OFFICIAL)


def esa_in_scope(actor: Actor, esa_path: str) -> bool:
    return actor.can(Perm.INSIGHTS_VIEW, esa_path)


def findings(run: InsightRun) -> list[PracticeFinding]:
    order = {"linked": 0, "no_change": 1, "too_few": 2}
    rows = list(PracticeFinding.objects.filter(run=run))
    rows.sort(key=lambda f: (order.get(f.verdict, 3), -f.esa_count, f.key))
    return rows


def topics(run: InsightRun) -> list[Topic]:
    return list(Topic.objects.filter(run=run).order_by("number"))


def practice_get(actor: Actor, practice_id: int) -> PracticeFinding:
    """A finding of a *current* run (aggregates: any holder of ``insights.view``), or 404."""
    if not may_view(actor):
        raise NotFoundOrNoAccess.default()
    f = (
        PracticeFinding.objects.select_related("run__round__framework")
        .filter(pk=practice_id, run__is_current=True)
        .first()
    )
    if f is None:
        raise NotFoundOrNoAccess.default()
    return f


def doc_get(actor: Actor, doc_id: int) -> NarrativeDoc:
    doc = (
        NarrativeDoc.objects.select_related("esa", "run")
        .filter(doc_visible_q(actor), pk=doc_id, run__is_current=True)
        .first()
    )
    if doc is None:
        raise NotFoundOrNoAccess.default()
    return doc


@dataclass
class Excerpt:
    doc_id: int
    esa_id: int
    esa_code: str
    esa_name_th: str
    esa_name_en: str
    round_key: str
    source: str
    text: str
    masked: bool


def texts_of(docs: Iterable[NarrativeDoc]) -> dict[int, str]:
    """The full text of each doc (two queries)."""
    docs = list(docs)
    narr = {d.narrative_id: d.pk for d in docs if d.narrative_id}
    work = {d.work_id: d.pk for d in docs if d.work_id}
    out: dict[int, str] = {}
    for pk, text in NarrativeEntry.objects.filter(pk__in=list(narr)).values_list("pk", "text"):
        out[narr[pk]] = text
    for pk, *parts in OutstandingWork.objects.filter(pk__in=list(work)).values_list(
        "pk", "title", "description", "practices", "results_claimed"
    ):
        out[work[pk]] = " ".join(p for p in parts if p)
    return out


def school_names(codes: Iterable[str]) -> dict[str, str]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    return dict(OrgUnit.objects.filter(kind="school", code__in=codes).values_list("code", "name_th"))


def mask_schools(text: str, names: Iterable[str]) -> str:
    for name in sorted(set(names), key=len, reverse=True):
        if not name:
            continue
        text = text.replace(name, MASK_TH)
        bare = name.removeprefix("โรงเรียน")
        if bare != name and len(bare) > 2:
            text = re.sub(r"(โรงเรียน|รร\.)" + re.escape(bare), MASK_TH, text)
    return text


def excerpts(
    actor: Actor, docs: list[NarrativeDoc], *, around: str = "", width: int = 240
) -> dict[int, Excerpt]:
    """Excerpts of ``docs`` for ``actor`` (docs already filtered by :func:`doc_visible_q`);
    school names of ESAs outside the actor's scope are masked. Three or four queries."""
    from suksa.analytics import text as tx
    from suksa.domains.insights import lexicon

    texts = texts_of(docs)
    esas = {u.pk: u for u in OrgUnit.objects.filter(pk__in={d.esa_id for d in docs})}
    names = school_names(c for d in docs for c in (d.schools or []))
    finder = tx.NameFinder(lexicon.practice_aliases())
    out: dict[int, Excerpt] = {}
    for d in docs:
        esa = esas[d.esa_id]
        text = texts.get(d.pk, "")
        masked = False
        if d.schools and not esa_in_scope(actor, esa.path):
            text = mask_schools(text, [names[c] for c in d.schools if c in names])
            masked = True
        keys = [around] if around else list(d.practices or [])
        out[d.pk] = Excerpt(
            doc_id=d.pk, esa_id=esa.pk, esa_code=esa.code, esa_name_th=esa.name_th, esa_name_en=esa.name_en,
            round_key=d.round_key, source=d.source, text=tx.excerpt(text, keys, finder, width=width), masked=masked,
        )  # fmt: skip
    return out


def practice_evidence(actor: Actor, finding: PracticeFinding) -> list[Excerpt]:
    """The finding's example texts that the actor may read."""
    ids = [int(e["doc_id"]) for e in finding.evidence if e.get("doc_id")]
    docs = list(NarrativeDoc.objects.filter(doc_visible_q(actor), pk__in=ids, run_id=finding.run_id))
    found = excerpts(actor, docs, around=finding.key)
    return [found[i] for i in ids if i in found]


def effect_rows(finding: PracticeFinding) -> list[dict[str, Any]]:
    """The per-indicator effects without the per-ESA detail (what every viewer sees)."""
    rows = []
    for code, e in sorted(finding.effects.items()):
        row = {k: v for k, v in e.items() if k not in ("units", "flagged_esas")}
        rows.append(row | {"code": code, "flagged": len(e.get("flagged_esas", []))})
    return rows
