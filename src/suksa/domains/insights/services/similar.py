"""Similar-case search: "which other ESAs tried something like this, and what happened".

:func:`similar_cases` takes a text (``q``) or one indexed document (``doc``) and returns the ten
most similar documents of *other* ESAs (the best one of each ESA) in the round's current run (cosine over the stored vectors,
centred on the corpus mean: :func:`suksa.analytics.text.rank_similar`), each with:

- an excerpt (visibility and masking: :mod:`suksa.domains.insights.selectors_lessons`);
- the practices it names, with each practice's finding (verdict and best effect — an aggregate);
- the ESA's **measured change** on the indicators those practices aim at (its trend rows of the
  same run: direction, slope per year, significance), only where the actor may see that ESA.

A text query is embedded exactly as the stage embedded the documents (same tokeniser dictionary,
same hashed TF-IDF projection), so nothing fitted has to be stored. The query document's own ESA
(for a text query: the ESAs of a scoped actor's own scope) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suksa.analytics import text as tx
from suksa.core.errors import InvalidInput, Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor
from suksa.domains.insights import lexicon
from suksa.domains.insights import selectors_lessons as sel
from suksa.domains.insights.models import InsightRun, NarrativeDoc, PracticeFinding, Trend

MAX_QUERY = 2000
TOP = 10


@dataclass
class Hit:
    doc_id: int
    score: float
    excerpt: sel.Excerpt
    practices: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    changes_visible: bool


@dataclass
class SimilarResult:
    run: InsightRun
    query_kind: str  # text | doc
    query_text: str
    query_doc: NarrativeDoc | None
    vector_kind: str
    hits: list[Hit] = field(default_factory=list)


def validate_query(q: str | None, doc: str | None) -> tuple[str | None, int | None]:
    """``(text, doc id)``; exactly one, else :class:`InvalidInput` naming the field."""
    text = (q or "").strip()
    raw_doc = (doc or "").strip()
    if text and raw_doc:
        raise InvalidInput.single(
            "query_ambiguous",
            "ระบุข้อความ (q) หรือเอกสาร (doc) อย่างใดอย่างหนึ่ง",
            "Give either a text (q) or a document (doc), not both",
            field="q",
        )
    if raw_doc:
        if not raw_doc.isdigit() or not 0 < int(raw_doc) < 2**63:
            raise InvalidInput.single(
                "doc_invalid",
                "รหัสเอกสาร (doc) ต้องเป็นจำนวนเต็มบวก",
                "The document (doc) must be a positive integer",
                field="doc",
            )
        return None, int(raw_doc)
    if not text:
        raise InvalidInput.single(
            "q_required", "กรุณาพิมพ์ข้อความที่ต้องการค้นหา (q)", "Type a text to search for (q)", field="q"
        )
    if len(text) > MAX_QUERY:
        raise InvalidInput.single(
            "q_too_long",
            f"ข้อความค้นหา (q) ยาวได้ไม่เกิน {MAX_QUERY:,} ตัวอักษร",
            f"The search text (q) may be at most {MAX_QUERY:,} characters",
            field="q",
        )
    return text, None


def _tokenizer() -> tx.ThaiTokenizer:
    names = OrgUnit.objects.filter(kind="esa", is_active=True).values_list("name_th", flat=True)
    return tx.ThaiTokenizer(lexicon.custom_words(names))


def embed_query(text: str, vector_kind: str, dim: int) -> np.ndarray:
    if vector_kind.startswith("embedding:wordllama"):
        return tx.WordLlamaEmbedder().embed([text]).vectors[0]
    return tx.HashedTfidfEmbedder(_tokenizer(), dim=dim).embed([text]).vectors[0]


def similar_cases(
    actor: Actor, *, run: InsightRun, q: str | None = None, doc_id: int | None = None, top: int = TOP
) -> SimilarResult:
    query_doc = sel.doc_get(actor, doc_id) if doc_id is not None else None
    if query_doc is not None and query_doc.run_id != run.pk:
        run = query_doc.run
    rows = list(
        NarrativeDoc.objects.filter(sel.doc_visible_q(actor), run=run)
        .exclude(vector=None)
        .values_list("pk", "esa_id", "esa__path", "vector", "vector_kind")
    )
    kind = rows[0][4] if rows else (query_doc.vector_kind if query_doc else "")
    result = SimilarResult(run, "doc" if query_doc else "text", q or "", query_doc, kind)
    if not rows:
        return result
    loaded = [tx.from_bytes(r[3]) for r in rows]
    dim = max((len(v) for v in loaded if v is not None), default=0)
    stored = [(r, v) for r, v in zip(rows, loaded, strict=True) if v is not None and len(v) == dim]
    rows = [r for r, _ in stored]
    if not stored:
        return result
    matrix = np.vstack([v for _, v in stored])
    if query_doc is not None:
        vec = tx.from_bytes(query_doc.vector, dim)
        if vec is None:
            return result
        skip_esas = {query_doc.esa_id}
    else:
        vec = embed_query(q or "", kind, dim)
        skip_esas = (
            set()
            if sel.is_national(actor)
            else {esa for _, esa, path, _, _ in rows if sel.esa_in_scope(actor, path)}
        )
    ranked = tx.rank_similar(vec, matrix, top=len(rows), exclude=lambda i: rows[i][1] in skip_esas)
    matches: list[tx.Match] = []
    seen: set[int] = set()
    for m in ranked:  # the best text of each ESA: the answer is "which ESAs", not which rounds
        if rows[m.index][1] not in seen:
            seen.add(rows[m.index][1])
            matches.append(m)
            if len(matches) >= top:
                break
    ids = [rows[m.index][0] for m in matches]
    docs = {d.pk: d for d in NarrativeDoc.objects.filter(pk__in=ids)}
    found = sel.excerpts(actor, [docs[i] for i in ids])
    findings = _findings(run, {k for d in docs.values() for k in (d.practices or [])})
    paths = {r[0]: r[2] for r in rows}
    visible = {i: sel.esa_in_scope(actor, paths[i]) for i in ids}
    trends = _trends(run, [(docs[i].esa_id, docs[i].practices or []) for i in ids if visible[i]])
    for m, i in zip(matches, ids, strict=True):
        d = docs[i]
        codes = _codes(d.practices or [])
        result.hits.append(
            Hit(
                doc_id=i, score=m.score, excerpt=found[i],
                practices=[findings[k] for k in d.practices or [] if k in findings],
                changes=[trends[(d.esa_id, c)] for c in codes if (d.esa_id, c) in trends] if visible[i] else [],
                changes_visible=visible[i],
            )
        )  # fmt: skip
    return result


def _codes(practices: list[str]) -> list[str]:
    out: list[str] = []
    for key in practices:
        p = lexicon.PRACTICES.get(key)
        if p is not None:
            out.extend(c for c in p.outcomes if c not in out)
    return out


def _findings(run: InsightRun, keys: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in PracticeFinding.objects.filter(run=run, key__in=sorted(keys)):
        th, en = sel.VERDICT_LABELS.get(f.verdict, (f.verdict, f.verdict))
        out[f.key] = {
            "id": f.pk, "key": f.key, "name_th": f.name_th, "name_en": f.name_en, "verdict": f.verdict,
            "verdict_th": th, "verdict_en": en, "sentence_th": f.sentence_th, "sentence_en": f.sentence_en,
        }  # fmt: skip
    return out


def _trends(run: InsightRun, pairs: list[tuple[int, list[str]]]) -> dict[tuple[int, str], dict[str, Any]]:
    esas = {e for e, _ in pairs}
    codes = {c for _, keys in pairs for c in _codes(keys)}
    if not esas or not codes:
        return {}
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for t in Trend.objects.filter(run=run, unit_id__in=esas, indicator__in=sorted(codes), breakdown=""):
        out[(t.unit_id, t.indicator)] = {
            "trend_id": t.pk, "indicator": t.indicator, "direction": t.direction, "good": t.good,
            "slope": t.slope, "significant": t.significant, "n": t.n,
            "sentence_th": t.sentence_th, "sentence_en": t.sentence_en,
        }  # fmt: skip
    return out


def no_run_problem() -> Problem:
    return Problem(
        code="no_run",
        th="ยังไม่มีผลการวิเคราะห์ของรอบนี้",
        en="No insights run for this round yet",
    )
