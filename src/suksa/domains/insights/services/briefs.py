"""Policy briefs: versions with a number trace, the "briefs" stage, generate and publish.

- :func:`new_version` writes the next version of a brief and runs the number trace
  (:func:`suksa.analytics.briefs.trace_numbers`) on it; a version whose trace fails cannot be
  published.
- The stage ``briefs`` (order 70) writes, for every topic of :data:`TOPICS`, the round's national
  brief from this run's results (trends, strengths, school models, practices, alerts, case
  studies — whichever exist). Briefs persist across runs: a *draft* gets a new version when its text
  or numbers changed; a brief in consultation or published is never touched (its page says that a
  newer run exists, by comparing ``Brief.run`` with the round's current run).
- :func:`brief_generate` and :func:`brief_publish` are the writers' actions (``brief.write`` held
  on the nation). Generating may rephrase through an LLM (:mod:`.llm`) when one is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from suksa.analytics.briefs import BriefDraft, Fact, body_texts, number_entry, trace_numbers, write_brief
from suksa.analytics.suppression import is_small
from suksa.core import audit
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import SYSTEM, Actor, Perm
from suksa.domains.insights.models import (
    Alert,
    Brief,
    BriefVersion,
    CaseStudyPick,
    InsightRun,
    PracticeFinding,
    SchoolGroup,
    Strength,
    Trend,
)
from suksa.domains.insights.models.choices import AlertKind, AlertStatus, BriefStatus, DataQuality, RunStatus
from suksa.domains.insights.services.data import IndicatorInfo, Point
from suksa.domains.insights.services.run import StageContext, current_run, stage
from suksa.domains.monitoring.models import Indicator, Round

METHOD_VERSION = "briefs-1"


@dataclass(frozen=True)
class TopicSpec:
    key: str
    title_th: str
    title_en: str
    domains: tuple[str, ...]  # empty: every domain
    kinds: tuple[str, ...]  # which kinds of finding the topic draws on


TOPICS: dict[str, TopicSpec] = {
    t.key: t
    for t in (
        TopicSpec("overview", "ภาพรวมผลการจัดการศึกษา", "Overview of basic education", (),
                  ("trend", "strength", "school_model", "practice", "case")),
        TopicSpec("learning", "ผลสัมฤทธิ์ทางการเรียน", "Learning outcomes", ("learning",),
                  ("trend", "strength", "school_model", "practice")),
        TopicSpec("retention", "การเลื่อนชั้นและการคงอยู่ในระบบ", "Progression and retention", ("flow",),
                  ("trend", "strength", "practice")),
        TopicSpec("access", "การเข้าถึงและความเสมอภาค", "Access and equity", ("access", "equity"),
                  ("trend", "strength", "practice")),
        TopicSpec("warnings", "สัญญาณเตือนล่วงหน้า", "Early warnings", (), ("alert",)),
    )
}  # fmt: skip


# --- versions and the trace ----------------------------------------------------------------------


def trace_version(body: Mapping[str, Any], numbers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The trace of a body's texts against ``numbers`` (the names in ``body["labels"]`` are exempt)."""
    result = trace_numbers(body_texts(body), numbers, labels=body.get("labels") or ())
    return result.as_dict()


@transaction.atomic
def new_version(
    *,
    brief: Brief,
    body: dict[str, Any],
    numbers: dict[str, dict[str, Any]],
    actor: Actor | None,
    change_note: str = "",
    writer: str = "template",
) -> BriefVersion:
    """Write the next version of ``brief`` (number = last + 1) with its number trace run."""
    Brief.objects.select_for_update().filter(pk=brief.pk).first()  # serialise version numbers
    last = BriefVersion.objects.filter(brief=brief).aggregate(m=Max("number"))["m"] or 0
    trace = trace_version(body, numbers)
    return BriefVersion.objects.create(
        brief=brief,
        number=last + 1,
        body=body,
        numbers=numbers,
        trace=trace,
        trace_ok=bool(trace["ok"]),
        writer=writer,
        change_note=change_note,
        created_by_id=actor.user_id if actor is not None else None,
    )


def latest_version(brief: Brief) -> BriefVersion | None:
    return BriefVersion.objects.filter(brief=brief).order_by("-number").first()


# --- findings from a run's rows ------------------------------------------------------------------

SeriesLookup = Callable[[int, str], list[Point]]


class _Table:
    """The numbers table being built: one entry per distinct value, refs stable across runs."""

    def __init__(self) -> None:
        self.numbers: dict[str, dict[str, Any]] = {}

    def add(self, ref: str, value: float | int, **kw: Any) -> str:
        self.numbers[ref] = number_entry(value, **kw)
        return ref


def _unit_names(ids: set[int]) -> dict[int, OrgUnit]:
    return {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids).only("pk", "code", "name_th", "name_en")}


def _indicators(codes: set[str]) -> dict[str, IndicatorInfo]:
    return {
        ind.code: IndicatorInfo(
            code=ind.code,
            name_th=ind.name_th,
            name_en=ind.name_en,
            unit=ind.unit,
            direction=0,
            domain=ind.domain,
            source_kind=ind.source_kind,
            period_kind="",
            value_type=ind.value_type,
            min_value=ind.min_value,
            max_value=ind.max_value,
        )
        for ind in Indicator.objects.filter(code__in=codes, is_current=True)
    }


def _point_source(trend: Trend, period: str, series: SeriesLookup | None) -> dict[str, Any]:
    """Where a trend's value of ``period`` was stored: the run's series point when known, else the
    trend's own data (``points``/``values`` with ``source``), else the trend row itself."""
    if series is not None:
        for p in series(trend.unit_id, trend.indicator):
            if p.period == period:
                return dict(p.source)
    for key in ("points", "values", "series"):
        items = trend.data.get(key) if isinstance(trend.data, dict) else None
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and str(item.get("period")) == period and item.get("source"):
                    return dict(item["source"])
    return {"model": "insights.Trend", "id": trend.pk, "field": "series", "period": period}


def _slope_decimals(slope: float) -> int:
    return 2 if abs(slope) < 10 else (1 if abs(slope) < 100 else 0)


_MONTHS = {"jan": ("ม.ค.", "January"), "feb": ("ก.พ.", "February"), "mar": ("มี.ค.", "March"),
           "apr": ("เม.ย.", "April"), "may": ("พ.ค.", "May"), "jun": ("มิ.ย.", "June"), "jul": ("ก.ค.", "July"),
           "aug": ("ส.ค.", "August"), "sep": ("ก.ย.", "September"), "oct": ("ต.ค.", "October"),
           "nov": ("พ.ย.", "November"), "dec": ("ธ.ค.", "December")}  # fmt: skip


def period_label(period: str) -> tuple[str, str]:
    """A period key as the text writes it: census ``2563/jun10`` → ``2563 (10 มิ.ย.)``; others as is
    (years and round keys such as ``2569/m12`` are exempt from the trace)."""
    year, _, rest = period.partition("/")
    month, day = rest[:3], rest[3:]
    if month in _MONTHS and day.isdigit():
        th, en = _MONTHS[month]
        return f"{year} ({int(day)} {th})", f"{year} ({int(day)} {en})"
    return period, period


def _decimals_for(values: list[float]) -> int:
    return 0 if all(float(v).is_integer() and abs(v) >= 10 for v in values) else 1


def _trend_facts(
    run: InsightRun, spec: TopicSpec, nation: OrgUnit, series: SeriesLookup | None, table: _Table
) -> list[Fact]:
    trends = list(
        Trend.objects.filter(run=run, breakdown="")
        .exclude(quality=DataQuality.HELD)
        .exclude(direction__in=("too_few", "constant"))
        .order_by("indicator", "unit_id")
    )
    infos = _indicators({t.indicator for t in trends})
    if spec.domains:
        trends = [t for t in trends if infos.get(t.indicator) and infos[t.indicator].domain in spec.domains]
    # The nation's trends, and each indicator's most significant worsening ESA.
    national = [t for t in trends if t.unit_id == nation.pk]
    worst: dict[str, Trend] = {}
    for t in trends:
        worse = t.unit_id != nation.pk and t.significant and t.good is False
        if worse and (t.indicator not in worst or (t.p_value or 1) < (worst[t.indicator].p_value or 1)):
            worst[t.indicator] = t
    chosen = national + sorted(worst.values(), key=lambda t: (t.p_value or 1, t.indicator))[:3]
    units = _unit_names({t.unit_id for t in chosen})
    facts: list[Fact] = []
    for t in chosen:
        if len(t.series) < 2 or t.indicator not in infos:
            continue
        info, unit = infos[t.indicator], units[t.unit_id]
        (p1, v1), (p2, v2) = t.series[0], t.series[-1]
        if info.unit == "persons" and any(is_small(v) for v in (v1, v2)):
            continue  # a count of 1-4 persons does not leave the office
        dec = _decimals_for([v1, v2])
        base = f"trend:{t.indicator}:{unit.code}"
        common = {"unit_id": unit.pk, "unit_code": unit.code, "unit_name": unit.name_th,
                  "indicator": t.indicator, "measure": info.unit}  # fmt: skip
        refs = {
            "first": table.add(f"{base}:{p1}", v1, decimals=dec, period=str(p1),
                               source=_point_source(t, str(p1), series), what="value", **common),
            "last": table.add(f"{base}:{p2}", v2, decimals=dec, period=str(p2),
                              source=_point_source(t, str(p2), series), what="value", **common),
        }  # fmt: skip
        if t.slope is not None:
            refs["slope"] = table.add(
                f"{base}:slope", t.slope, decimals=_slope_decimals(t.slope), period=f"{p1}–{p2}",
                source={"model": "insights.Trend", "id": t.pk, "field": "slope"}, what="slope", **common,
            )  # fmt: skip
        moving = t.significant and t.direction in ("up", "down") and "slope" in refs
        tone = "neutral" if not moving else ("good" if t.good else "bad")
        facts.append(
            Fact(
                key=base,
                kind="trend",
                names={
                    "indicator_th": info.name_th,
                    "indicator_en": info.name_en or info.name_th,
                    "unit_th": unit.name_th,
                    "unit_en": unit.name_en or unit.name_th,
                    "direction": t.direction if moving else "flat",
                    "good": "yes" if t.good else "no",
                    "first_period": period_label(str(p1))[0],
                    "last_period": period_label(str(p2))[0],
                    "first_period_en": period_label(str(p1))[1],
                    "last_period_en": period_label(str(p2))[1],
                },
                refs=refs if moving else {"last": refs["last"]},
                tone=tone,
                priority=(3.0 if t.unit_id == nation.pk else 2.0)
                + (1.0 if moving else 0.0)
                + (0.5 if tone == "bad" else 0.0),
            )
        )
    return facts


_DOMAIN_NAMES = {
    "access": ("การเข้าถึง", "access"), "flow": ("การเลื่อนชั้นและการคงอยู่", "progression and retention"),
    "learning": ("ผลสัมฤทธิ์ทางการเรียน", "learning outcomes"), "teachers": ("ครูและบุคลากร", "teachers"),
    "equity": ("ความเสมอภาค", "equity"), "management": ("การบริหารจัดการ", "management"),
    "digital": ("ดิจิทัล", "digital"), "safety": ("ความปลอดภัย", "safety"),
}  # fmt: skip


def _strength_facts(run: InsightRun, spec: TopicSpec, table: _Table) -> list[Fact]:
    qs = Strength.objects.filter(run=run, indicator="", verdict__in=("strong", "weak"), rank__isnull=False)
    qs = qs.exclude(quality=DataQuality.HELD)
    if spec.domains:
        qs = qs.filter(domain__in=spec.domains)
    rows = sorted(qs, key=lambda s: (-(abs(s.score or 0.0)), s.domain, s.unit_id))
    picked: list[Strength] = []
    for verdict in ("strong", "weak"):
        picked += [s for s in rows if s.verdict == verdict][:2]
    units = _unit_names({s.unit_id for s in picked})
    facts: list[Fact] = []
    for s in picked:
        unit = units[s.unit_id]
        base = f"strength:{s.domain}:{unit.code}"
        common = {
            "unit_id": unit.pk,
            "unit_code": unit.code,
            "unit_name": unit.name_th,
            "indicator": s.domain,
        }
        src = {"model": "insights.Strength", "id": s.pk}
        refs = {
            "rank": table.add(f"{base}:rank", s.rank or 0, decimals=0, source={**src, "field": "rank"},
                              what="rank", **common),
            "peers": table.add(f"{base}:peers", s.peer_count, decimals=0, source={**src, "field": "peer_count"},
                               what="peer_count", **common),
        }  # fmt: skip
        dom_th, dom_en = _DOMAIN_NAMES.get(s.domain, (s.domain, s.domain))
        facts.append(
            Fact(
                key=base, kind="strength",
                names={"unit_th": unit.name_th, "unit_en": unit.name_en or unit.name_th, "domain_th": dom_th,
                       "domain_en": dom_en, "verdict": s.verdict},
                refs=refs, tone="good" if s.verdict == "strong" else "bad", priority=1.5,
            )
        )  # fmt: skip
    return facts


def _school_facts(run: InsightRun, table: _Table) -> list[Fact]:
    facts: list[Fact] = []
    groups = SchoolGroup.objects.filter(run=run, deviant_count__gt=0).order_by("-deviant_count", "key")[:2]
    for g in groups:
        base = f"schools:{g.key}"
        src = {"model": "insights.SchoolGroup", "id": g.pk}
        refs = {
            "deviants": table.add(f"{base}:deviants", g.deviant_count, decimals=0,
                                  source={**src, "field": "deviant_count"}, what="schools", indicator=g.key),
            "schools": table.add(f"{base}:schools", g.school_count, decimals=0,
                                 source={**src, "field": "school_count"}, what="schools", indicator=g.key),
        }  # fmt: skip
        practices = (g.shared or {}).get("practices") or []
        first = practices[0] if practices and isinstance(practices[0], dict) else {}
        names = {"group_th": g.name_th, "group_en": g.name_en or g.name_th}
        if first.get("name_th"):
            names |= {
                "practice_th": str(first["name_th"]),
                "practice_en": str(first.get("name_en") or first["name_th"]),
            }
        facts.append(Fact(key=base, kind="school_model", names=names, refs=refs, tone="good", priority=1.2))
    return facts


def _practice_facts(run: InsightRun, spec: TopicSpec, table: _Table) -> list[Fact]:
    facts: list[Fact] = []
    rows = PracticeFinding.objects.filter(run=run, verdict="linked").order_by("-esa_count", "key")
    infos: dict[str, IndicatorInfo] | None = None
    for p in rows:
        effects = p.effects if isinstance(p.effects, dict) else {}
        good = sorted(c for c, e in effects.items() if isinstance(e, dict) and e.get("good"))
        if not good:
            continue
        if infos is None:
            infos = _indicators({c for row in rows for c in (row.effects or {})})
        codes = [c for c in good if c in infos and (not spec.domains or infos[c].domain in spec.domains)]
        if not codes:
            continue
        info = infos[codes[0]]
        ref = table.add(f"practice:{p.key}:esas", p.esa_count, decimals=0, indicator=p.key, what="esas",
                        source={"model": "insights.PracticeFinding", "id": p.pk, "field": "esa_count"})  # fmt: skip
        facts.append(
            Fact(
                key=f"practice:{p.key}", kind="practice",
                names={"practice_th": p.name_th, "practice_en": p.name_en or p.name_th,
                       "indicator_th": info.name_th, "indicator_en": info.name_en or info.name_th},
                refs={"esas": ref}, tone="good", priority=1.0,
            )
        )  # fmt: skip
        if len(facts) >= 2:
            break
    return facts


def _case_facts(run: InsightRun, table: _Table) -> list[Fact]:
    picks = list(CaseStudyPick.objects.filter(run=run).exclude(quality=DataQuality.HELD).order_by("rank")[:2])
    units = _unit_names({c.esa_id for c in picks})
    facts: list[Fact] = []
    for c in picks:
        unit = units[c.esa_id]
        theme = c.theme or "practice"
        th, en = _DOMAIN_NAMES.get(theme, (theme, theme))
        facts.append(
            Fact(
                key=f"case:{unit.code}", kind="case",
                names={"unit_th": unit.name_th, "unit_en": unit.name_en or unit.name_th, "theme_th": th,
                       "theme_en": en},
                refs={}, tone="good", priority=0.8,
            )
        )  # fmt: skip
    return facts


def _alert_facts(rnd: Round, table: _Table) -> list[Fact]:
    alerts = list(
        Alert.objects.filter(round=rnd)
        .exclude(status=AlertStatus.RESOLVED)
        .exclude(quality=DataQuality.HELD)
        .order_by("kind", "-severity", "unit_id", "pk")
    )
    facts: list[Fact] = []
    by_kind: dict[str, list[Alert]] = {}
    for a in alerts:
        by_kind.setdefault(a.kind, []).append(a)
    for kind, rows in sorted(by_kind.items()):
        label = dict(AlertKind.choices).get(kind, kind)
        th, _, en = str(label).partition(" / ")
        offices = len({a.unit_id for a in rows})
        ref = table.add(f"alerts:{kind}:count", offices, decimals=0, what="offices", indicator=kind,
                        source={"model": "insights.Alert", "ids": [a.pk for a in rows], "round": rnd.pk})  # fmt: skip
        facts.append(
            Fact(key=f"alerts:{kind}", kind="alert",
                 names={"title_th": th, "title_en": en or th, "unit_th": "", "unit_en": ""},
                 refs={"count": ref}, tone="bad", priority=2.0 + offices / 1000)
        )  # fmt: skip
    high = [a for a in alerts if a.severity == "high" and a.indicator][:3]
    units = _unit_names({a.unit_id for a in high})
    infos = _indicators({a.indicator for a in high})
    for a in high:
        unit = units[a.unit_id]
        info = infos.get(a.indicator)
        refs: dict[str, str] = {}
        value, target = _alert_value_target(a)
        if value is not None and target is not None:
            base = f"alert:{a.pk}"
            common = {
                "unit_id": unit.pk,
                "unit_code": unit.code,
                "unit_name": unit.name_th,
                "indicator": a.indicator,
                "measure": info.unit if info else "",
            }
            src = dict(
                value.get("source") or {"model": "insights.Alert", "id": a.pk, "field": "evidence.values"}
            )
            if value.get("scale") is not None:
                src["scale"] = value["scale"]
            refs["value"] = table.add(
                f"{base}:value",
                float(value["value"]),
                decimals=1,
                period=str(value.get("period", "")),
                what="value",
                source=src,
                **common,
            )
            refs["target"] = table.add(
                f"{base}:target",
                float(target),
                decimals=1,
                what="target",
                source={"model": "insights.Alert", "id": a.pk, "field": "evidence.target"},
                **common,
            )
        kind_th, _, kind_en = str(dict(AlertKind.choices).get(a.kind, a.kind)).partition(" / ")
        names = {
            "unit_th": unit.name_th,
            "unit_en": unit.name_en or unit.name_th,
            "title_th": kind_th,
            "title_en": kind_en or kind_th,
        }
        if info is not None:
            names |= {"indicator_th": info.name_th, "indicator_en": info.name_en or info.name_th}
        facts.append(
            Fact(key=f"alert:{a.pk}", kind="alert", names=names, refs=refs, tone="bad", priority=1.0)
        )
    return facts


def _alert_value_target(alert: Alert) -> tuple[dict[str, Any] | None, float | None]:
    """The latest value and the target an alert rests on (``evidence.values[-1]``,
    ``evidence.target`` as a number or ``{"value": …}``), or Nones."""
    ev = alert.evidence if isinstance(alert.evidence, dict) else {}
    values = ev.get("values")
    last = values[-1] if isinstance(values, list) and values and isinstance(values[-1], dict) else None
    if last is None or not isinstance(last.get("value"), int | float):
        return None, None
    raw = ev.get("target")
    target = raw.get("value") if isinstance(raw, dict) else raw
    if not isinstance(target, int | float) or isinstance(target, bool):
        return last, None
    return last, float(target)


def compose(
    *, run: InsightRun | None, rnd: Round, topic: str, unit: OrgUnit, series: SeriesLookup | None = None
) -> tuple[BriefDraft, dict[str, dict[str, Any]]]:
    """The template brief of ``topic`` for ``rnd`` from ``run``'s results, and its numbers table."""
    spec = TOPICS[topic]
    table = _Table()
    facts: list[Fact] = []
    if run is not None:
        if "trend" in spec.kinds:
            facts += _trend_facts(run, spec, unit, series, table)
        if "strength" in spec.kinds:
            facts += _strength_facts(run, spec, table)
        if "school_model" in spec.kinds:
            facts += _school_facts(run, table)
        if "practice" in spec.kinds:
            facts += _practice_facts(run, spec, table)
        if "case" in spec.kinds:
            facts += _case_facts(run, table)
    if "alert" in spec.kinds:
        facts += _alert_facts(rnd, table)
    draft = write_brief(
        topic=topic,
        title_th=spec.title_th,
        title_en=spec.title_en,
        round_th=rnd.name_th,
        round_en=rnd.name_en,
        facts=facts,
        numbers=table.numbers,
        labels=(unit.name_th, unit.name_en),
    )
    used = {ref for item in draft.body["findings"] for ref in item["evidence"]}
    return draft, {ref: entry for ref, entry in table.numbers.items() if ref in used}


def _titles(topic: str, rnd: Round) -> tuple[str, str]:
    spec = TOPICS[topic]
    return f"{spec.title_th} — {rnd.name_th}", f"{spec.title_en} — {rnd.name_en}"


def _refresh(
    *, brief: Brief, run: InsightRun | None, draft: BriefDraft, numbers: dict[str, dict[str, Any]],
    actor: Actor | None, note: str, force: bool = False,
) -> BriefVersion | None:  # fmt: skip
    """A new version of a draft brief when its text or numbers changed (or ``force``)."""
    last = latest_version(brief)
    if not force and last is not None and last.body == draft.body and last.numbers == numbers:
        if run is not None and brief.run_id != run.pk:
            Brief.objects.filter(pk=brief.pk).update(run=run)
        return None
    version = new_version(brief=brief, body=draft.body, numbers=numbers, actor=actor, change_note=note)
    if run is not None and brief.run_id != run.pk:
        Brief.objects.filter(pk=brief.pk).update(run=run)
        brief.run = run
    return version


def _nation() -> OrgUnit:
    return OrgUnit.objects.get(kind="nation")


@stage("briefs", order=70, label_th="ร่างข้อเสนอเชิงนโยบาย", label_en="Policy brief drafts",
       method_version=METHOD_VERSION, models=())  # fmt: skip
def compute_briefs(ctx: StageContext) -> dict[str, Any]:
    """Write (or refresh) the round's national draft briefs; never deletes a brief."""
    nation = OrgUnit.objects.get(pk=ctx.data.nation.id)

    def series(unit_id: int, code: str) -> list[Point]:
        return ctx.data.series.get((unit_id, code), [])

    counts = {"written": 0, "unchanged": 0, "kept": 0, "trace_failed": 0}
    for i, topic in enumerate(TOPICS):
        ctx.progress(i, len(TOPICS), topic)
        title_th, title_en = _titles(topic, ctx.round)
        brief, _ = Brief.objects.get_or_create(
            round=ctx.round, unit=nation, topic=topic,
            defaults={"title_th": title_th, "title_en": title_en, "run": ctx.run},
        )  # fmt: skip
        if brief.status != BriefStatus.DRAFT:
            counts["kept"] += 1  # its page notes that a newer run exists
            continue
        draft, numbers = compose(run=ctx.run, rnd=ctx.round, topic=topic, unit=nation, series=series)
        version = _refresh(
            brief=brief, run=ctx.run, draft=draft, numbers=numbers, actor=None,
            note=f"เขียนจากผลการวิเคราะห์ครั้งที่ {ctx.run.pk} / Written from insights run #{ctx.run.pk}",
        )  # fmt: skip
        if version is None:
            counts["unchanged"] += 1
        else:
            counts["written"] += 1
            counts["trace_failed"] += 0 if version.trace_ok else 1
    ctx.progress(len(TOPICS), len(TOPICS))
    return counts


# --- the writers' actions ------------------------------------------------------------------------


def may_write(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can_nationally(Perm.BRIEF_WRITE)


def _forbidden() -> PermissionDenied:
    return PermissionDenied(
        [
            Problem(
                code="brief_write_forbidden",
                th="ต้องเป็นเจ้าหน้าที่ติดตามและประเมินผลส่วนกลางจึงจะจัดทำหรือเผยแพร่ข้อเสนอเชิงนโยบายได้",
                en="Only a national M&E officer may generate or publish a policy brief.",
            )
        ]
    )


def brief_generate(
    *, actor: Actor, round: Round, topic: str, unit: OrgUnit | None = None, rephrase: bool | None = None
) -> Brief:
    """Write a new version of the brief of ``topic`` for ``round`` (and ``unit``, default the nation)
    from the round's current run. ``rephrase``: ask the configured LLM to rephrase (default: when an
    endpoint is configured); its text is kept only when it passes the trace."""
    from suksa.domains.insights.services import llm

    if not may_write(actor):
        raise _forbidden()
    if topic not in TOPICS:
        raise InvalidInput.single(
            "topic_unknown",
            f"ไม่รู้จักหัวข้อ '{topic}' (ใช้ได้: {', '.join(TOPICS)})",
            f"Unknown topic '{topic}' (one of: {', '.join(TOPICS)})",
            field="topic",
        )
    unit = unit or _nation()
    run = current_run(round)
    title_th, title_en = _titles(topic, round)
    with transaction.atomic():
        brief, _ = Brief.objects.get_or_create(
            round=round, unit=unit, topic=topic,
            defaults={"title_th": title_th, "title_en": title_en, "run": run, "created_by_id": actor.user_id},
        )  # fmt: skip
        if brief.status in (BriefStatus.PUBLISHED, BriefStatus.WITHDRAWN):
            raise Conflict.single(
                "brief_closed",
                "ข้อเสนอนี้เผยแพร่หรือถอนแล้ว จึงเขียนฉบับใหม่ไม่ได้",
                "This brief is published or withdrawn: no new version can be written",
                field="topic",
            )
    draft, numbers = compose(run=run, rnd=round, topic=topic, unit=unit)
    body, writer, note = draft.body, "template", "เขียนด้วยแม่แบบ / Written by the template writer"
    if rephrase is None:
        rephrase = llm.configured()
    if rephrase:
        outcome = llm.rephrase(draft.body, numbers)
        body, writer, note = outcome.body, outcome.writer, outcome.note
    with transaction.atomic():
        version = new_version(
            brief=brief, body=body, numbers=numbers, actor=actor, change_note=note, writer=writer
        )
        Brief.objects.filter(pk=brief.pk).update(run=run)
        audit.record(
            actor=actor, action=AuditEntry.Action.CREATE, object_type="insights.Brief", object_id=brief.pk,
            object_repr=f"{round.key} {topic}",
            changes={"event": "brief.generate", "version": version.number, "writer": writer,
                     "trace_ok": version.trace_ok},
        )  # fmt: skip
    brief.refresh_from_db()
    return brief


def brief_publish(*, actor: Actor, brief_id: int, version_number: int | None = None) -> Brief:
    """Publish a brief's latest version. Refused when the version's trace failed (the failing
    numbers are listed) or when ``version_number`` is not the latest version."""
    if not may_write(actor):
        raise _forbidden()
    with transaction.atomic():
        brief = Brief.objects.select_for_update().filter(pk=brief_id).first()
        if brief is None:
            raise NotFoundOrNoAccess.default()
        if brief.status in (BriefStatus.PUBLISHED, BriefStatus.WITHDRAWN):
            raise Conflict.single("brief_not_open", "ข้อเสนอนี้เผยแพร่หรือถอนแล้ว",
                                  "This brief is already published or withdrawn")  # fmt: skip
        version = latest_version(brief)
        if version is None:
            raise Conflict.single("brief_empty", "ข้อเสนอนี้ยังไม่มีฉบับร่าง", "This brief has no version yet")
        if version_number is not None and version_number != version.number:
            raise Conflict.single(
                "brief_not_latest",
                f"ฉบับที่ {version_number} ไม่ใช่ฉบับล่าสุด (ฉบับล่าสุดคือฉบับที่ {version.number})",
                f"Version {version_number} is not the latest (the latest is version {version.number})",
                field="version",
            )
        if not version.trace_ok:
            failures = (version.trace or {}).get("failures") or []
            listed = ", ".join(f"'{f.get('number')}'" for f in failures[:10]) or "?"
            raise InvalidInput(
                [
                    Problem(
                        code="brief_trace_failed",
                        th=f"ตัวเลขในข้อเสนอฉบับที่ {version.number} ตรวจสอบย้อนกลับไม่ได้ {len(failures)} ค่า: {listed}",
                        en=f"{len(failures)} number(s) in version {version.number} cannot be traced: {listed}",
                        field="version",
                    )
                ]
            )
        brief.status = BriefStatus.PUBLISHED
        brief.published_at = timezone.now()
        brief.published_version = version
        brief.save(update_fields=["status", "published_at", "published_version"])
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="insights.Brief", object_id=brief.pk,
            object_repr=f"{brief.topic} v{version.number}", changes={"event": "brief.publish", "status": [BriefStatus.DRAFT, BriefStatus.PUBLISHED],
                     "version": version.number},
        )  # fmt: skip
    return brief


def newer_run(brief: Brief) -> InsightRun | None:
    """The round's current run when it is newer than the run the brief was written from."""
    run = current_run(brief.round_id)
    if run is None or run.status != RunStatus.DONE or run.pk == brief.run_id:
        return None
    return run
