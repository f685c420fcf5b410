"""The "cases" stage: each nominated outstanding work checked against the numbers, and a case-study
shortlist among the round's target areas.

Reads this run's rows of earlier stages from the database — trends (order 10), strengths (20),
narrative docs (30), school deviance (45) — and degrades gracefully when a stage wrote nothing
(its slice not run): a work's claim is then ``no_data`` with the reason "trends were not computed",
and a pick's reason says which evidence was unavailable.

**Work checks.** For each claimed indicator code of a work: the ESA's trend of this run on it
(blank breakdown) → ``supported`` when it moves significantly in the good direction, or when the
ESA is *strong* against its peers on that indicator or its domain; ``unsupported`` when the trend is
flat or significantly bad (and no strength); ``no_data`` when no trend exists, the series has too
few periods or is constant, or the code is not in the catalogue. For each school a work's text names
(``NarrativeDoc.schools`` of the work's doc): ``supported`` when it is a positive deviant of this
run, ``unsupported`` when its outcomes were scored and it is not, ``no_data`` otherwise. The work's
verdict: ``supported`` when supported reasons outnumber unsupported ones, ``unsupported`` when at
least one reason is unsupported otherwise, ``no_data`` when nothing could be checked. ``quality`` is
``labelled`` when a trend, a deviant row or the round's quality checks flag the data used.

**Case studies.** Every target area is scored: positive-deviant schools (up to 3, weight 3),
strong domains (up to 2, weight 2), supported works (up to 3, weight 2) and narrative evidence
(docs naming its deviant schools or practices the lessons stage linked to measured change, up to 3,
weight 1), each part scaled to [0, 1]. The top ``cases_top`` (10) with a score above 0 are kept,
each with its reasons in Thai and English and the ids of the rows it rests on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from suksa.domains.insights.lexicon import PRACTICES
from suksa.domains.insights.models import (
    CaseStudyPick,
    NarrativeDoc,
    PracticeFinding,
    SchoolDeviance,
    Strength,
    Trend,
    WorkCheck,
)
from suksa.domains.insights.models.choices import ClaimVerdict, DataQuality, TrendDirection, Verdict
from suksa.domains.insights.services.run import StageContext, stage
from suksa.domains.monitoring.models import OutstandingWork

METHOD_VERSION = "cases-1"
TOP = 10
WEIGHTS = {"deviants": 3.0, "strengths": 2.0, "works": 2.0, "narratives": 1.0}
CAPS = {"deviants": 3, "strengths": 2, "works": 3, "narratives": 3}
DOMAIN_NAMES = {
    "learning": ("ผลสัมฤทธิ์ทางการเรียน", "learning outcomes"),
    "retention": ("การคงอยู่ในระบบ", "retention"),
    "access": ("การเข้าถึงการศึกษา", "access"),
    "management": ("การบริหารจัดการ", "management"),
    "digital": ("ดิจิทัล", "digital"),
    "safety": ("ความปลอดภัย", "safety"),
}


@dataclass
class Evidence:
    """What earlier stages of this run stored, keyed for the checks (a few set-based queries)."""

    trends: dict[tuple[int, str], dict[str, Any]]
    strong_indicator: dict[tuple[int, str], int]  # (esa, indicator) -> Strength id
    strong_domain: dict[tuple[int, str], int]  # (esa, domain) -> Strength id
    deviant: dict[str, dict[str, Any]]  # school code -> {id, esa_id, indicator, quality}
    scored: set[str]  # school codes with a stored deviance row that is not a deviant
    work_docs: dict[int, list[tuple[int, tuple[str, ...]]]]  # work id -> [(doc id, school codes)]
    esa_docs: dict[
        int, list[tuple[int, tuple[str, ...], tuple[str, ...]]]
    ]  # esa -> [(doc, schools, practices)]
    linked_practices: set[str]
    have: dict[str, bool] = field(default_factory=dict)  # stage -> wrote rows in this run


def load_evidence(run_id: int) -> Evidence:
    trends: dict[tuple[int, str], dict[str, Any]] = {}
    for pk, unit, ind, direction, good, sig, n, slope, quality in Trend.objects.filter(
        run_id=run_id, breakdown=""
    ).values_list("pk", "unit_id", "indicator", "direction", "good", "significant", "n", "slope", "quality"):
        trends[(unit, ind)] = {
            "id": pk, "direction": direction, "good": good, "significant": sig, "n": n, "slope": slope,
            "quality": quality,
        }  # fmt: skip
    strong_indicator: dict[tuple[int, str], int] = {}
    strong_domain: dict[tuple[int, str], int] = {}
    n_strengths = 0
    for pk, unit, domain, ind, verdict in Strength.objects.filter(run_id=run_id).values_list(
        "pk", "unit_id", "domain", "indicator", "verdict"
    ):
        n_strengths += 1
        if verdict != Verdict.STRONG:
            continue
        if ind:
            strong_indicator[(unit, ind)] = pk
        else:
            strong_domain[(unit, domain)] = pk
    deviant: dict[str, dict[str, Any]] = {}
    scored: set[str] = set()
    n_dev_rows = 0
    for pk, code, esa, ind, is_dev, quality in SchoolDeviance.objects.filter(run_id=run_id).values_list(
        "pk", "school__code", "esa_id", "indicator", "is_deviant", "quality"
    ):
        n_dev_rows += 1
        if is_dev:
            deviant.setdefault(code, {"id": pk, "esa_id": esa, "indicator": ind, "quality": quality})
        else:
            scored.add(code)
    work_docs: dict[int, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    esa_docs: dict[int, list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = defaultdict(list)
    for pk, esa, work, schools, practices in (
        NarrativeDoc.objects.filter(run_id=run_id)
        .values_list("pk", "esa_id", "work_id", "schools", "practices")
        .order_by("pk")
        .iterator(chunk_size=2000)
    ):
        if work is not None:
            work_docs[work].append((pk, tuple(schools or ())))
        esa_docs[esa].append((pk, tuple(schools or ()), tuple(practices or ())))
    linked = set(
        PracticeFinding.objects.filter(run_id=run_id, verdict="linked").values_list("key", flat=True)
    )
    has_lessons = bool(esa_docs)
    return Evidence(
        trends=trends, strong_indicator=strong_indicator, strong_domain=strong_domain, deviant=deviant,
        scored=scored, work_docs=dict(work_docs), esa_docs=dict(esa_docs), linked_practices=linked,
        have={"trends": bool(trends), "strengths": n_strengths > 0, "deviance": n_dev_rows > 0,
              "lessons": has_lessons},
    )  # fmt: skip


# --- work checks ----------------------------------------------------------------------------------


def _reason(kind: str, verdict: str, th: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "verdict": verdict, "text_th": th, "text_en": en, **extra}


def check_indicator(ctx: StageContext, ev: Evidence, esa_id: int, code: str) -> dict[str, Any]:
    info = ctx.data.indicators.get(code)
    name_th, name_en = (info.name_th, info.name_en) if info else (code, code)
    flagged = bool(ctx.data.flags.get((esa_id, code)))
    base = {"code": code, "flagged": flagged}
    if info is None:
        return _reason("indicator", ClaimVerdict.NO_DATA, f"ไม่พบตัวชี้วัด {code} ในแค็ตตาล็อก",
                       f"Indicator {code} is not in the catalogue", **base)  # fmt: skip
    s_ind = ev.strong_indicator.get((esa_id, code))
    s_dom = ev.strong_domain.get((esa_id, info.domain))
    strength_id = s_ind or s_dom
    trend = ev.trends.get((esa_id, code))
    if trend is None:
        if strength_id is not None:
            return _reason("indicator", ClaimVerdict.SUPPORTED, f"{name_th}: เข้มแข็งเมื่อเทียบกับเขตที่มีบริบทใกล้เคียง",
                           f"{name_en}: strong against peers of similar context", strength_id=strength_id, **base)  # fmt: skip
        if not ev.have["trends"]:
            return _reason("indicator", ClaimVerdict.NO_DATA, f"{name_th}: ยังไม่ได้คำนวณแนวโน้มในรอบการคำนวณนี้",
                           f"{name_en}: trends were not computed in this run", **base)  # fmt: skip
        return _reason("indicator", ClaimVerdict.NO_DATA, f"{name_th}: ไม่มีแนวโน้มของเขตนี้",
                       f"{name_en}: no trend for this ESA", **base)  # fmt: skip
    base |= {"trend_id": trend["id"], "direction": trend["direction"], "good": trend["good"],
             "significant": trend["significant"], "n": trend["n"], "slope": trend["slope"]}  # fmt: skip
    base["flagged"] = flagged or trend["quality"] != DataQuality.OK
    if trend["direction"] in (TrendDirection.TOO_FEW, TrendDirection.CONSTANT):
        if strength_id is not None:
            return _reason("indicator", ClaimVerdict.SUPPORTED, f"{name_th}: ข้อมูลน้อยเกินกว่าจะดูแนวโน้ม แต่เข้มแข็งเมื่อเทียบกับเขตใกล้เคียง",
                           f"{name_en}: too few periods for a trend, but strong against peers", strength_id=strength_id, **base)  # fmt: skip
        return _reason("indicator", ClaimVerdict.NO_DATA, f"{name_th}: ข้อมูล {trend['n']} ช่วงเวลา น้อยเกินไปหรือคงที่",
                       f"{name_en}: {trend['n']} period(s), too few or constant", **base)  # fmt: skip
    if trend["significant"] and trend["good"]:
        return _reason("indicator", ClaimVerdict.SUPPORTED, f"{name_th}: แนวโน้มดีขึ้นอย่างมีนัยสำคัญ",
                       f"{name_en}: a significant improving trend", **base)  # fmt: skip
    if strength_id is not None:
        return _reason("indicator", ClaimVerdict.SUPPORTED, f"{name_th}: ไม่มีแนวโน้มดีขึ้นที่ชัดเจน แต่เข้มแข็งเมื่อเทียบกับเขตใกล้เคียง",
                       f"{name_en}: no clear improvement, but strong against peers", strength_id=strength_id, **base)  # fmt: skip
    if trend["significant"] and trend["good"] is False:
        return _reason("indicator", ClaimVerdict.UNSUPPORTED, f"{name_th}: แนวโน้มแย่ลงอย่างมีนัยสำคัญ",
                       f"{name_en}: a significant worsening trend", **base)  # fmt: skip
    return _reason("indicator", ClaimVerdict.UNSUPPORTED, f"{name_th}: ไม่เปลี่ยนแปลงอย่างมีนัยสำคัญ",
                   f"{name_en}: no significant change", **base)  # fmt: skip


def check_school(ev: Evidence, code: str) -> dict[str, Any]:
    dev = ev.deviant.get(code)
    if dev is not None:
        return _reason("school", ClaimVerdict.SUPPORTED, f"โรงเรียน {code} เป็นโรงเรียนต้นแบบ (ผลสูงกว่าที่คาดอย่างสม่ำเสมอ)",
                       f"School {code} is a positive deviant (consistently above expectation)",
                       school=code, deviance_id=dev["id"], flagged=dev["quality"] != DataQuality.OK)  # fmt: skip
    if not ev.have["deviance"]:
        return _reason("school", ClaimVerdict.NO_DATA, f"โรงเรียน {code}: ยังไม่ได้วิเคราะห์โรงเรียนต้นแบบในรอบการคำนวณนี้",
                       f"School {code}: school models were not computed in this run", school=code, flagged=False)  # fmt: skip
    return _reason("school", ClaimVerdict.UNSUPPORTED, f"โรงเรียน {code} ไม่ได้มีผลสูงกว่าโรงเรียนที่มีโครงสร้างเดียวกันอย่างสม่ำเสมอ",
                   f"School {code} is not consistently above schools of the same structure",
                   school=code, near_miss=code in ev.scored, flagged=False)  # fmt: skip


def combine(reasons: list[dict[str, Any]]) -> str:
    sup = sum(1 for r in reasons if r["verdict"] == ClaimVerdict.SUPPORTED)
    uns = sum(1 for r in reasons if r["verdict"] == ClaimVerdict.UNSUPPORTED)
    if sup > uns:
        return ClaimVerdict.SUPPORTED
    if uns:
        return ClaimVerdict.UNSUPPORTED
    return ClaimVerdict.NO_DATA


VERDICT_TEXT = {
    ClaimVerdict.SUPPORTED: ("มีข้อมูลสนับสนุน", "supported by the numbers"),
    ClaimVerdict.UNSUPPORTED: ("ข้อมูลไม่สนับสนุน", "not supported by the numbers"),
    ClaimVerdict.NO_DATA: ("ไม่มีข้อมูลพอจะตรวจสอบ", "no data to check it against"),
}


def check_works(ctx: StageContext, ev: Evidence) -> list[WorkCheck]:
    rows = []
    works = (
        OutstandingWork.objects.filter(report__round=ctx.round)
        .values_list("pk", "report__esa_id", "indicator_codes", "title")
        .order_by("report__esa__code", "rank", "pk")
    )
    for pk, esa_id, codes, title in works.iterator(chunk_size=2000):
        reasons = [check_indicator(ctx, ev, esa_id, str(c)) for c in dict.fromkeys(codes or [])]
        named = sorted({s for _, schools in ev.work_docs.get(pk, []) for s in schools})
        reasons += [check_school(ev, code) for code in named]
        if not reasons:
            reasons.append(_reason("claim", ClaimVerdict.NO_DATA, "ผลงานไม่ได้ระบุตัวชี้วัดหรือโรงเรียนที่ตรวจสอบได้",
                                   "The work names no indicator or school that can be checked", flagged=False))  # fmt: skip
        verdict = combine(reasons)
        quality = DataQuality.LABELLED if any(r.get("flagged") for r in reasons) else DataQuality.OK
        vth, ven = VERDICT_TEXT[ClaimVerdict(verdict)]
        sup = sum(1 for r in reasons if r["verdict"] == ClaimVerdict.SUPPORTED)
        rows.append(
            WorkCheck(
                run=ctx.run,
                work_id=pk,
                esa_id=esa_id,
                verdict=verdict,
                quality=quality,
                reasons=reasons,
                sentence_th=f'ผลงาน "{title}": {vth} ({sup} จาก {len(reasons)} ข้อ)'
                + (" — ข้อมูลบางส่วนมีข้อสังเกตด้านคุณภาพ" if quality == DataQuality.LABELLED else ""),
                sentence_en=f'Work "{title}": {ven} ({sup} of {len(reasons)} checks)'
                + (
                    " — some data are flagged by the quality checks"
                    if quality == DataQuality.LABELLED
                    else ""
                ),
            )
        )
    return rows


# --- case studies ---------------------------------------------------------------------------------


def pick_cases(ctx: StageContext, ev: Evidence, checks: list[WorkCheck], top: int) -> list[CaseStudyPick]:
    supported_works: dict[int, list[int]] = defaultdict(list)
    for c in checks:
        if c.verdict == ClaimVerdict.SUPPORTED:
            supported_works[c.esa_id].append(c.work_id)
    deviants_of: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for code, d in sorted(ev.deviant.items()):
        deviants_of[d["esa_id"]].append((code, d["id"], d["quality"]))
    strong_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (esa, domain), sid in sorted(ev.strong_domain.items()):
        strong_of[esa].append((domain, sid))
    scored = []
    for esa_id in sorted(ctx.data.target_areas):
        unit = ctx.data.units.get(esa_id)
        if unit is None:
            continue
        devs = deviants_of.get(esa_id, [])
        dev_codes = {c for c, _, _ in devs}
        strong = strong_of.get(esa_id, [])
        works = supported_works.get(esa_id, [])
        docs = [
            (doc, schools, practices)
            for doc, schools, practices in ev.esa_docs.get(esa_id, [])
            if dev_codes.intersection(schools) or ev.linked_practices.intersection(practices)
        ]
        parts = {
            "deviants": min(len(devs), CAPS["deviants"]) / CAPS["deviants"],
            "strengths": min(len(strong), CAPS["strengths"]) / CAPS["strengths"],
            "works": min(len(works), CAPS["works"]) / CAPS["works"],
            "narratives": min(len(docs), CAPS["narratives"]) / CAPS["narratives"],
        }
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)
        if score <= 0:
            continue
        practice_counts: dict[str, int] = defaultdict(int)
        for _, schools, practices in docs:
            if dev_codes.intersection(schools):
                for p in practices:
                    practice_counts[p] += 1
        theme = ""
        if practice_counts:
            theme = sorted(practice_counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        elif strong:
            theme = strong[0][0]
        th, en = _reasons(ev, devs, strong, works, docs, theme)
        labelled = any(q != DataQuality.OK for _, _, q in devs)
        scored.append(
            (
                -score,
                unit.code,
                CaseStudyPick(
                    run=ctx.run,
                    esa_id=esa_id,
                    rank=0,
                    score=score,
                    theme=theme[:60],
                    reason_th=th,
                    reason_en=en,
                    quality=DataQuality.LABELLED if labelled else DataQuality.OK,
                    evidence={
                        "parts": parts,
                        "weights": WEIGHTS,
                        "deviant_schools": [{"school": c, "deviance_id": i} for c, i, _ in devs],
                        "strengths": [{"domain": d, "strength_id": i} for d, i in strong],
                        "supported_works": works,
                        "docs": [d for d, _, _ in docs][:20],
                        "available": ev.have,
                    },
                ),
            )
        )
    scored.sort(key=lambda x: (x[0], x[1]))
    picks = []
    for rank, (_, _, pick) in enumerate(scored[:top], start=1):
        pick.rank = rank
        picks.append(pick)
    return picks


def _reasons(
    ev: Evidence,
    devs: list[tuple[str, int, str]],
    strong: list[tuple[str, int]],
    works: list[int],
    docs: list[tuple[int, tuple[str, ...], tuple[str, ...]]],
    theme: str,
) -> tuple[str, str]:
    th: list[str] = []
    en: list[str] = []
    if devs:
        th.append(f"มีโรงเรียนต้นแบบ {len(devs)} โรง ({', '.join(c for c, _, _ in devs[:3])})")
        en.append(f"{len(devs)} positive-deviant school(s) ({', '.join(c for c, _, _ in devs[:3])})")
    if strong:
        th.append("เข้มแข็งด้าน" + ", ".join(DOMAIN_NAMES.get(d, (d, d))[0] for d, _ in strong))
        en.append("strong in " + ", ".join(DOMAIN_NAMES.get(d, (d, d))[1] for d, _ in strong))
    if works:
        th.append(f"ผลงานที่มีข้อมูลสนับสนุน {len(works)} เรื่อง")
        en.append(f"{len(works)} outstanding work(s) supported by the numbers")
    if docs:
        th.append(f"รายงานบรรยาย {len(docs)} ฉบับกล่าวถึงโรงเรียนต้นแบบหรือแนวปฏิบัติที่เชื่อมโยงกับผลที่วัดได้")
        en.append(f"{len(docs)} narrative(s) name its deviant schools or practices linked to measured change")
    if theme:
        p = PRACTICES.get(theme)
        if p is not None:
            th.append(f"ประเด็น: {p.name_th}")
            en.append(f"theme: {p.name_en}")
    missing = [k for k in ("trends", "strengths", "deviance", "lessons") if not ev.have.get(k)]
    if missing:
        th.append("ไม่มีผลการวิเคราะห์ " + ", ".join(missing) + " ในรอบการคำนวณนี้")
        en.append("not available in this run: " + ", ".join(missing))
    return "; ".join(th), "; ".join(en)


@stage(
    "cases",
    order=50,
    label_th="ตรวจผลงานและกรณีศึกษา",
    label_en="Work checks and case studies",
    method_version=METHOD_VERSION,
    models=(WorkCheck, CaseStudyPick),
)
def compute_cases(ctx: StageContext) -> dict[str, Any]:
    ev = load_evidence(ctx.run.pk)
    checks = WorkCheck.objects.bulk_create(check_works(ctx, ev), batch_size=1000)
    top = int(ctx.parameters.get("cases_top", TOP))
    picks = CaseStudyPick.objects.bulk_create(pick_cases(ctx, ev, checks, top))
    verdicts: dict[str, int] = defaultdict(int)
    for c in checks:
        verdicts[c.verdict] += 1
    return {
        "works": len(checks), "picks": len(picks), "verdicts": dict(sorted(verdicts.items())),
        "target_areas": len(ctx.data.target_areas), "available": ev.have,
    }  # fmt: skip
