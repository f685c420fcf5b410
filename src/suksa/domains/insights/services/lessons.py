"""Stage ``lessons`` (order 30): the narrative index, topics, and practices linked to measured change.

What it reads: every narrative section and outstanding work of the reports **handed in**
(submitted, in review, approved, locked) of the rounds of the run's fiscal year and the years
before it, up to the run's round — the ESAs' written history as the round knows it (drafts are not
the office's word yet).

What it writes (rows of this run, deleted and rewritten when the stage runs again):

- one :class:`NarrativeDoc` per text: keywords (TF-IDF, top 8), practice keys found by the
  lexicon's aliases, school codes named (the ESA's own schools, by name), topic number, and a
  vector (float32 bytes) with its ``vector_kind`` (see :mod:`suksa.analytics.text`);
- :class:`Topic` rows: k-means topic groups, *k* by the best silhouette, with their keywords;
- one :class:`PracticeFinding` per practice that at least one ESA names.

**Linking a practice to measured change** (:func:`practice_effect`). An ESA *adopts* a practice
in the first round in which one of its texts names it. For each indicator the practice aims at
(``lexicon.PRACTICES[key].outcomes``) we compare the **Theil–Sen slope per year** of each adopter
from the year of its first mention on with the slope of every other ESA over the same years
(from the adopters' median first mention on). Slopes are per ESA, so levels and context that do not
change over time cancel out, and the national trend is common to both groups: this is a
difference-in-trends (a difference-in-differences on slopes). The effect is the difference of the
group means, with a seeded percentile-bootstrap 90 % interval and a two-sided permutation p-value
(labels shuffled). Across all practice × indicator tests of the run the p-values are adjusted by
Benjamini–Hochberg (false-discovery rate 5 %). Verdict:

- ``linked``: some aimed-at indicator has an adjusted p < 0.05 and its interval excludes 0
  (``effects[code]["good"]`` says whether the change goes the right way);
- ``too_few``: no aimed-at indicator has at least 5 adopters and 5 other ESAs with a slope (3+
  points each);
- ``no_change``: the rest — the practice is named, measured, and nothing moved more than in ESAs
  that do not name it (the popular "buzz" practices on the national demo).

Every effect keeps the per-ESA slopes it used, with the values and their sources
(``[period, value, model, id]``), so a brief can trace it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from suksa.analytics import text as tx
from suksa.analytics.trends import median_slope
from suksa.core.models import OrgUnit
from suksa.domains.insights import lexicon
from suksa.domains.insights.models import NarrativeDoc, PracticeFinding, Topic
from suksa.domains.insights.services.data import HANDED_IN, Point, RoundData, tau
from suksa.domains.insights.services.run import StageContext, stage
from suksa.domains.monitoring.models import NarrativeEntry, OutstandingWork

METHOD_VERSION = "lessons-1"
MIN_GROUP = 5  # adopters and others with a slope, per indicator
MIN_POINTS = 3  # points for one ESA's slope
ALPHA = 0.05  # false-discovery rate (Benjamini–Hochberg)
LEVEL = 0.90  # interval of the effect
N_BOOT = 1000
N_PERM = 2000
SEED = 2569
EVIDENCE = 5
KEYWORDS_PER_DOC = 8


@dataclass(frozen=True)
class RawDoc:
    source: str  # narrative | work
    esa_id: int
    report_id: int
    narrative_id: int | None
    work_id: int | None
    round_key: str
    text: str
    status: str

    @property
    def t(self) -> float:
        return tau(self.round_key, "round") or 0.0


# --- loading ---------------------------------------------------------------------------------------


def load_docs(ctx_round_fy: int, round_end: Any, esa_ids: Sequence[int]) -> list[RawDoc]:
    """Narratives and works of handed-in reports of rounds up to the run's round (two queries)."""
    common = {
        "report__status__in": HANDED_IN,
        "report__round__framework__fiscal_year__lte": ctx_round_fy,
        "report__round__period_end__lte": round_end,
        "report__esa_id__in": list(esa_ids),
    }
    docs: list[RawDoc] = []
    for pk, report_id, esa_id, fy, months, text, status in (
        NarrativeEntry.objects.filter(**common)
        .exclude(text="")
        .values_list(
            "pk", "report_id", "report__esa_id", "report__round__framework__fiscal_year",
            "report__round__months", "text", "report__status",
        )
        .order_by("report__esa_id", "report__round__period_end", "section__code", "pk")
        .iterator(chunk_size=5000)
    ):  # fmt: skip
        docs.append(RawDoc("narrative", esa_id, report_id, pk, None, f"{fy}/m{months}", text, status))
    for pk, report_id, esa_id, fy, months, title, description, practices, claimed, status in (
        OutstandingWork.objects.filter(**common)
        .values_list(
            "pk", "report_id", "report__esa_id", "report__round__framework__fiscal_year",
            "report__round__months", "title", "description", "practices", "results_claimed",
            "report__status",
        )
        .order_by("report__esa_id", "report__round__period_end", "rank", "pk")
        .iterator(chunk_size=5000)
    ):  # fmt: skip
        text = " ".join(s for s in (title, description, practices, claimed) if s)
        docs.append(RawDoc("work", esa_id, report_id, None, pk, f"{fy}/m{months}", text, status))
    return docs


def school_names_by_esa(esa_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """``{esa id: {school name: code}}`` (one query)."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for parent_id, name, code in OrgUnit.objects.filter(
        kind="school", parent_id__in=list(esa_ids)
    ).values_list("parent_id", "name_th", "code"):
        out[parent_id][name] = code
    return dict(out)


# --- practice effects (pure) ---------------------------------------------------------------------


theil_sen = median_slope  # kept as the name the effect code uses


@dataclass(frozen=True)
class UnitSlope:
    esa_id: int
    adopter: bool
    since: str | None  # round key of first mention (adopters)
    slope: float
    points: list[list[Any]]  # [period, value, model, id]


@dataclass(frozen=True)
class Effect:
    """Difference of mean slopes, adopters − others, per year (catalogue units)."""

    adopters: int
    others: int
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    start: float | None  # time from which the others' slopes are taken

    def as_dict(self) -> dict[str, Any]:
        return {
            "adopters": self.adopters,
            "others": self.others,
            "difference": _r(self.difference),
            "low": _r(self.low),
            "high": _r(self.high),
            "p_value": _r(self.p_value),
            "start": self.start,
        }


def _r(x: float | None, nd: int = 6) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, nd)


def unit_slopes(
    series: dict[int, list[Point]], first_mention: dict[int, float], round_keys: dict[int, str]
) -> list[UnitSlope]:
    """Each ESA's slope: adopters from their first mention's year, others from the adopters'
    median first mention. The window opens 0.75 year before the round of first mention (the round's
    report describes the academic year that ended before it)."""
    start_others = float(np.median(list(first_mention.values()))) if first_mention else -math.inf
    out = []
    for esa_id, pts in sorted(series.items()):
        adopter = esa_id in first_mention
        start = (first_mention[esa_id] if adopter else start_others) - 0.75
        window = [p for p in pts if p.t >= start]
        if len({p.t for p in window}) < MIN_POINTS:
            continue
        slope = theil_sen([p.t for p in window], [p.value for p in window])
        if slope is None:
            continue
        out.append(
            UnitSlope(
                esa_id,
                adopter,
                round_keys.get(esa_id) if adopter else None,
                slope,
                [[p.period, p.value, p.source.get("model"), p.source.get("id")] for p in window],
            )
        )
    return out


def practice_effect(
    adopters: Sequence[float], others: Sequence[float], *, seed: int = SEED, start: float | None = None
) -> Effect:
    """Mean(adopters) − mean(others) with a bootstrap interval and a permutation p-value."""
    a = np.asarray(adopters, dtype=float)
    o = np.asarray(others, dtype=float)
    if a.size < MIN_GROUP or o.size < MIN_GROUP:
        return Effect(int(a.size), int(o.size), None, None, None, None, start)
    diff = float(a.mean() - o.mean())
    rng = np.random.default_rng(seed)
    boots = rng.choice(a, size=(N_BOOT, a.size)).mean(axis=1) - rng.choice(o, size=(N_BOOT, o.size)).mean(
        axis=1
    )
    tail = (1 - LEVEL) / 2
    low, high = (float(x) for x in np.quantile(boots, [tail, 1 - tail]))
    pooled = np.concatenate([a, o])
    perms = np.array([rng.permutation(pooled) for _ in range(N_PERM)])
    stats = perms[:, : a.size].mean(axis=1) - perms[:, a.size :].mean(axis=1)
    p = float((np.sum(np.abs(stats) >= abs(diff) - 1e-12) + 1) / (N_PERM + 1))
    return Effect(int(a.size), int(o.size), diff, low, high, p, start)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p-values (same order)."""
    n = len(p_values)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: p_values[i])
    adjusted = [0.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * n / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


def verdict_of(effects: dict[str, dict[str, Any]]) -> str:
    measured = [e for e in effects.values() if e.get("difference") is not None]
    if not measured:
        return "too_few"
    for e in measured:
        q = e.get("q_value")
        if q is not None and q < ALPHA and (e["low"] > 0 or e["high"] < 0):
            return "linked"
    return "no_change"


# --- the stage ------------------------------------------------------------------------------------


@stage(
    "lessons",
    order=30,
    label_th="บทเรียนจากรายงาน",
    label_en="Lessons from narratives",
    method_version=METHOD_VERSION,
    models=(NarrativeDoc, Topic, PracticeFinding),
)
def compute_lessons(ctx: StageContext) -> dict[str, Any]:
    data = ctx.data
    rnd = ctx.round
    esas = {u.id: u for u in data.esas()}
    raw = load_docs(rnd.framework.fiscal_year, rnd.period_end, list(esas))
    if not raw:
        return {"docs": 0, "topics": 0, "practices": 0}
    tokenizer = tx.ThaiTokenizer(lexicon.custom_words(u.name_th for u in esas.values()))
    texts = [d.text for d in raw]
    ctx.progress(0, 4, "ตัดคำและคำสำคัญ / Tokens and keywords")
    kw = tx.keywords(texts, tokenizer, top=KEYWORDS_PER_DOC, min_df=2 if len(texts) >= 50 else 1)
    ctx.progress(1, 4, "กลุ่มหัวข้อ / Topics")
    tp = tx.topics(kw, seed=SEED)
    ctx.progress(2, 4, "เวกเตอร์ / Vectors")
    choice = tx.choose_embedder(tokenizer, prefer=str(ctx.parameters.get("embedder", "tfidf")))
    vectors = choice.embedder.embed(texts)
    practice_finder = tx.NameFinder(lexicon.practice_aliases())
    school_maps = school_names_by_esa(list(esas))
    school_finders = {
        esa: tx.NameFinder(tx.school_aliases(m), ignore_case=False) for esa, m in school_maps.items()
    }
    rows = []
    for i, d in enumerate(raw):
        sf = school_finders.get(d.esa_id)
        rows.append(
            NarrativeDoc(
                run=ctx.run, esa_id=d.esa_id, report_id=d.report_id, source=d.source,
                narrative_id=d.narrative_id, work_id=d.work_id, round_key=d.round_key,
                keywords=[[t, w] for t, w in kw.per_doc[i]], practices=practice_finder.find(d.text),
                schools=sf.find(d.text) if sf else [], topic=tp.labels[i] if tp.labels else None,
                vector=tx.to_bytes(vectors.vectors[i]), vector_kind=vectors.kind,
            )
        )  # fmt: skip
    created = NarrativeDoc.objects.bulk_create(rows, batch_size=1000)
    Topic.objects.bulk_create(
        [
            Topic(
                run=ctx.run, number=t.number, keywords=[[w, s] for w, s in t.keywords[:10]],
                label_th=t.label[:255], label_en=f"Topic {t.number + 1}: {t.label}"[:255], size=t.size,
            )
            for t in tp.topics
        ]
    )  # fmt: skip
    ctx.progress(3, 4, "แนวปฏิบัติ / Practices")
    findings = _practice_findings(ctx, data, raw, created, practice_finder)
    return {
        "docs": len(created),
        "topics": len(tp.topics),
        "k": tp.k,
        "practices": len(findings),
        "linked": sum(1 for f in findings if f.verdict == "linked"),
        "vector_kind": vectors.kind,
        "vector_reason_th": choice.reason_th,
        "vector_reason_en": choice.reason_en,
    }


def _practice_findings(
    ctx: StageContext,
    data: RoundData,
    raw: list[RawDoc],
    created: list[NarrativeDoc],
    finder: tx.NameFinder,
) -> list[PracticeFinding]:
    first: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)
    mentions: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(created):
        for key in doc.practices:
            mentions[key].append(i)
            t = raw[i].t
            seen = first[key].get(doc.esa_id)
            if seen is None or t < seen[0]:
                first[key][doc.esa_id] = (t, raw[i].round_key)
    esa_ids = {u.id for u in data.esas()}
    pending: list[tuple[str, str, dict[str, Any]]] = []
    effects: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for key in sorted(mentions):
        practice = lexicon.PRACTICES[key]
        adopt = {esa: t for esa, (t, _) in first[key].items()}
        since = {esa: rk for esa, (_, rk) in first[key].items()}
        for code in practice.outcomes:
            info = data.indicators.get(code)
            if info is None:
                continue
            series = {uid: pts for (uid, c), pts in data.series.items() if c == code and uid in esa_ids}
            if not series:
                continue
            slopes = unit_slopes(series, {e: t for e, t in adopt.items() if e in series}, since)
            a = [s.slope for s in slopes if s.adopter]
            o = [s.slope for s in slopes if not s.adopter]
            start = float(np.median([adopt[s.esa_id] for s in slopes if s.adopter])) if a else None
            eff = practice_effect(a, o, start=start)
            flagged = sorted({s.esa_id for s in slopes if data.flags.get((s.esa_id, code))})
            entry = eff.as_dict() | {
                "name_th": info.name_th,
                "name_en": info.name_en,
                "unit": info.unit,
                "direction": info.direction,
                "good": None if eff.difference is None else eff.difference * info.direction > 0,
                "flagged_esas": flagged,
                "units": [
                    {
                        "esa": s.esa_id,
                        "adopter": s.adopter,
                        "since": s.since,
                        "slope": _r(s.slope),
                        "points": s.points,
                    }
                    for s in slopes
                ],
            }
            effects[key][code] = entry
            if eff.p_value is not None:
                pending.append((key, code, entry))
    adjusted = benjamini_hochberg([e["p_value"] for _, _, e in pending])
    for (_, _, entry), q in zip(pending, adjusted, strict=True):
        entry["q_value"] = round(q, 6)
    out = []
    for key in sorted(mentions):
        practice = lexicon.PRACTICES[key]
        measured = effects.get(key, {})
        verdict = verdict_of(measured)
        th, en = _sentence(practice, verdict, measured, len(first[key]))
        out.append(
            PracticeFinding(
                run=ctx.run, key=key, name_th=practice.name_th, name_en=practice.name_en,
                esa_count=len(first[key]), mention_count=len(mentions[key]), effects=measured, verdict=verdict,
                sentence_th=th, sentence_en=en,
                evidence=_evidence(key, mentions[key], raw, created, finder, first[key]),
            )
        )  # fmt: skip
    PracticeFinding.objects.bulk_create(out)
    return out


def _evidence(
    key: str,
    idx: list[int],
    raw: list[RawDoc],
    created: list[NarrativeDoc],
    finder: tx.NameFinder,
    first: dict[int, tuple[float, str]],
) -> list[dict[str, Any]]:
    """Up to five example texts from different ESAs: works first, the latest round first."""
    ranked = sorted(
        idx, key=lambda i: (raw[i].source != "work", -raw[i].t, raw[i].esa_id, created[i].pk or 0)
    )
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i in ranked:
        d = raw[i]
        if d.esa_id in seen:
            continue
        seen.add(d.esa_id)
        out.append(
            {
                "doc_id": created[i].pk,
                "esa": d.esa_id,
                "round": d.round_key,
                "source": d.source,
                "report_status": d.status,
                "since": first.get(d.esa_id, (0.0, ""))[1],
                "excerpt": tx.excerpt(d.text, [key], finder),
            }
        )
        if len(out) >= EVIDENCE:
            break
    return out


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def _sentence(
    practice: lexicon.PracticeName, verdict: str, effects: dict[str, dict[str, Any]], n: int
) -> tuple[str, str]:
    name_th, name_en = practice.name_th, practice.name_en
    if verdict == "too_few":
        return (
            f"{name_th}: เขตพื้นที่ที่กล่าวถึง {n} เขต ข้อมูลยังน้อยเกินไปที่จะเชื่อมโยงกับการเปลี่ยนแปลงของตัวชี้วัด",
            f"{name_en}: named by {n} ESAs; too few data to link it to measured change.",
        )
    if verdict == "no_change":
        return (
            f"{name_th}: เขตพื้นที่ที่กล่าวถึง {n} เขต แนวโน้มของตัวชี้วัดที่มุ่งหวังไม่ต่างจากเขตอื่นอย่างมีนัยสำคัญ",
            f"{name_en}: named by {n} ESAs; the indicators it aims at moved no differently than elsewhere.",
        )
    best = min(
        (e for e in effects.values() if e.get("q_value") is not None),
        key=lambda e: e["q_value"],
    )
    better_th = "ดีขึ้น" if best["good"] else "แย่ลง"
    better_en = "better" if best["good"] else "worse"
    return (
        f"{name_th}: เขตพื้นที่ที่กล่าวถึง {n} เขต มี{best['name_th']}{better_th}กว่าเขตอื่นปีละ "
        f"{_fmt(best['difference'])} (ช่วง 90%: {_fmt(best['low'])} ถึง {_fmt(best['high'])})",
        f"{name_en}: named by {n} ESAs; their {best['name_en']} moved {better_en} than elsewhere by "
        f"{_fmt(best['difference'])} a year (90% interval {_fmt(best['low'])} to {_fmt(best['high'])}).",
    )
