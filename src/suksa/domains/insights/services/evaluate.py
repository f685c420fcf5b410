"""Score a run's results against a known truth (the planted signals of the synthetic demo history).

:func:`evaluate_run` takes the truth as a plain dict (the demo's ``monitoring_truth.json``, read by
the command — domains never import the demo) and the noise standard deviation of each indicator,
reads the run's stored results and returns an :class:`Evaluation`: one section per kind of signal,
each a list of metrics with the number of items behind it, plus what could not be scored (a stage
that is not in the run). :func:`evaluation_markdown` renders it for ``bench/RESULTS.md``.

What is scored (definitions in ``docs/guide/insights/runs.md``):

- **trends** (ESA × indicator, no breakdown): *planted* = ``|true slope| ≥ ½ · noise SD``;
  *detected* = ``significant`` and the direction is the sign of the true slope. Precision over
  the significant trends, recall over the planted pairs of the truth (a pair the run has no trend
  for counts as missed). Interval coverage of ``[slope_low, slope_high]`` against the true slope,
  over the pairs whose slope is the same over the whole history (no practice adopted later);
- **strengths** (ESA × domain score): ``strong`` / ``weak`` verdicts against the truth's lists;
  interval coverage of ``[low, high]`` against the planted offset (+strong SD, −weak SD, else 0);
- **positive deviants** (schools): any ``is_deviant`` row against the truth's deviant schools
  (decoy schools flagged are counted apart);
- **warnings**: the risk model's temporal hold-out figures as its stage stored them
  (``RiskModelFit.metrics``: model, rule baseline, past-level baseline), whether the model beats
  both, and its fairness ratios (``RiskModelFit.fairness``) against the 0.8–1.25 band;
- **work checks**: agreement of each nominated work's verdict with the truth's label.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from suksa.analytics.evaluation import (
    FAIR_HIGH,
    FAIR_LOW,
    agreement,
    fairness_ok,
    interval_coverage,
    precision_recall,
)
from suksa.core.models import OrgUnit
from suksa.domains.insights.models import (
    InsightRun,
    RiskModelFit,
    SchoolDeviance,
    Strength,
    Trend,
    WorkCheck,
)
from suksa.domains.insights.models.choices import TrendDirection, Verdict

PLANTED_SHARE_OF_NOISE = 0.5  # a planted trend: |slope| >= half the noise SD (the truth doc's rule)
MEANINGFUL_AUC_GAIN = 0.01  # below this the model is said to be no real gain over a baseline
FIRST_YEAR = 2563  # trend components from this year on act over the whole history


@dataclass(frozen=True)
class Metric:
    name: str
    value: float | str | None
    n: int | None = None  # how many items the figure rests on
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    stage: str
    metrics: list[Metric] = field(default_factory=list)
    missing: bool = False  # the stage is not in the run

    def add(self, name: str, value: float | str | None, n: int | None = None, note: str = "") -> None:
        self.metrics.append(Metric(name, value, n, note))


@dataclass
class Evaluation:
    run_id: int
    round_key: str
    sections: list[Section]
    model_beats_baselines: bool | None = None
    verdict: str = ""

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figures(self) -> Iterator[tuple[str, Metric]]:
        for s in self.sections:
            for m in s.metrics:
                yield s.key, m


def _has(run: InsightRun, stage: str) -> bool:
    return run.stages.get(stage, {}).get("status") == "done"


def _esa_codes() -> dict[int, str]:
    return dict(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA).values_list("pk", "code"))


def score_trends(run: InsightRun, truth: Mapping[str, Any], noise_sd: Mapping[str, float]) -> Section:
    sec = Section("trends", "Trends (ESA × indicator)", "trends")
    if not _has(run, "trends"):
        sec.missing = True
        return sec
    codes = _esa_codes()
    true_slopes: dict[tuple[str, str], float] = {
        (esa, ind): float(slope)
        for ind, per_esa in truth.get("trends", {}).items()
        for esa, slope in per_esa.items()
        if ind in noise_sd and esa in set(codes.values())
    }
    planted = {
        (esa, ind): (1 if s > 0 else -1)
        for (esa, ind), s in true_slopes.items()
        if abs(s) >= PLANTED_SHARE_OF_NOISE * noise_sd[ind] and s != 0
    }
    late = {
        (c["esa"], c["indicator"])
        for c in truth.get("trend_components", [])
        if int(c.get("from", 0)) > FIRST_YEAR
    }
    rows = Trend.objects.filter(run=run, unit_id__in=list(codes), breakdown="").values_list(
        "unit_id", "indicator", "direction", "significant", "slope_low", "slope_high"
    )
    detected: set[tuple[str, str, int]] = set()
    intervals: list[tuple[float | None, float | None, float | None]] = []
    seen = 0
    for unit_id, ind, direction, significant, low, high in rows:
        key = (codes[unit_id], ind)
        if key not in true_slopes:
            continue
        seen += 1
        if significant and direction in (TrendDirection.UP, TrendDirection.DOWN):
            detected.add((*key, 1 if direction == TrendDirection.UP else -1))
        if key not in late:
            intervals.append((low, high, true_slopes[key]))
    pr = precision_recall(detected, {(*k, d) for k, d in planted.items()})
    sec.add("precision", pr.precision, len(detected), "significant trends in the true direction")
    sec.add("recall", pr.recall, len(planted), "planted: |true slope| >= 1/2 noise SD")
    sec.add("F1", pr.f1)
    sec.add("pairs with a trend / pairs in the truth", f"{seen:,} / {len(true_slopes):,}")
    cov = interval_coverage(intervals)
    sec.add(
        "slope interval coverage",
        cov.share,
        cov.total,
        f"pairs with one slope over the whole history; {cov.skipped} without an interval",
    )
    return sec


def score_strengths(run: InsightRun, truth: Mapping[str, Any]) -> Section:
    sec = Section("strengths", "Strengths (ESA × domain, against peers)", "strengths")
    if not _has(run, "strengths"):
        sec.missing = True
        return sec
    codes = _esa_codes()
    strong = {(esa, d) for d, esas in truth.get("strong", {}).items() for esa in esas}
    weak = {(esa, d) for d, esas in truth.get("weak", {}).items() for esa in esas}
    domains = set(truth.get("strong", {})) | set(truth.get("weak", {}))
    offsets = truth.get("offsets", {})
    strong_sd, weak_sd = float(offsets.get("strong_sd", 0.0)), float(offsets.get("weak_sd", 0.0))
    rows = Strength.objects.filter(run=run, indicator="", unit_id__in=list(codes), domain__in=domains)
    got_strong: set[tuple[str, str]] = set()
    got_weak: set[tuple[str, str]] = set()
    intervals: list[tuple[float | None, float | None, float | None]] = []
    planted_intervals: list[tuple[float | None, float | None, float | None]] = []
    scored = 0
    for unit_id, domain, verdict, low, high in rows.values_list(
        "unit_id", "domain", "verdict", "low", "high"
    ):
        key = (codes[unit_id], domain)
        scored += 1
        if verdict == Verdict.STRONG:
            got_strong.add(key)
        elif verdict == Verdict.WEAK:
            got_weak.add(key)
        offset = strong_sd if key in strong else -weak_sd if key in weak else 0.0
        intervals.append((low, high, offset))
        if key in strong or key in weak:
            planted_intervals.append((low, high, offset))
    present = {(codes[u], d) for u, d in rows.values_list("unit_id", "domain")}
    strong_in, weak_in = strong & present, weak & present
    for label, got, actual in (("strong", got_strong, strong_in), ("weak", got_weak, weak_in)):
        pr = precision_recall(got, actual)
        sec.add(f"{label}: precision", pr.precision, len(got))
        sec.add(
            f"{label}: recall", pr.recall, len(actual), f"planted {label} ESA × domain pairs with a score"
        )
    both = precision_recall(
        {(*k, "s") for k in got_strong} | {(*k, "w") for k in got_weak},
        {(*k, "s") for k in strong_in} | {(*k, "w") for k in weak_in},
    )
    sec.add("strong or weak: F1", both.f1, len(strong_in) + len(weak_in))
    sec.add("ESA × domain scores", scored)
    cov = interval_coverage(intervals)
    sec.add("interval coverage of the planted offset (all)", cov.share, cov.total,
            "truth: +strong SD, −weak SD, 0 otherwise (other ESA effects are not in the truth)")  # fmt: skip
    pc = interval_coverage(planted_intervals)
    sec.add("interval coverage (planted strong/weak only)", pc.share, pc.total)
    return sec


def score_deviants(run: InsightRun, truth: Mapping[str, Any]) -> Section:
    sec = Section("deviants", "Positive-deviant schools", "deviance")
    if not _has(run, "deviance"):
        sec.missing = True
        return sec
    actual = {d["school"] for d in truth.get("deviant_schools", [])}
    decoys = {d["school"] for d in truth.get("decoy_schools", [])}
    claimed_not = {d["school"] for d in truth.get("claimed_not_deviant", [])}
    flagged = set(
        SchoolDeviance.objects.filter(run=run, is_deviant=True)
        .values_list("school__code", flat=True)
        .distinct()
    )
    pr = precision_recall(flagged, actual)
    sec.add("precision", pr.precision, len(flagged))
    sec.add("recall", pr.recall, len(actual))
    sec.add("F1", pr.f1)
    sec.add("decoy schools flagged (typed 1.9× once)", len(flagged & decoys), len(decoys))
    sec.add("claimed-but-not-deviant schools flagged", len(flagged & claimed_not), len(claimed_not))
    return sec


def _metric(metrics: Mapping[str, Any], model: str, *names: str) -> float | None:
    block = metrics.get(model) or {}
    for name in names:
        value = block.get(name)
        if isinstance(value, int | float):
            return float(value)
    return None


def _fairness_ratios(fairness: Any, path: str = "") -> Iterator[tuple[str, float]]:
    """Every numeric leaf whose key names a ratio, with its path (the stage's own layout)."""
    if isinstance(fairness, Mapping):
        for key, value in fairness.items():
            yield from _fairness_ratios(value, f"{path}.{key}" if path else str(key))
    elif isinstance(fairness, int | float) and not isinstance(fairness, bool) and "ratio" in path.lower():
        yield path, float(fairness)


AUC_NAMES = ("auc", "roc_auc")
P10_NAMES = ("precision_at_10", "precision_at_10pct", "p_at_10", "precision@10")


def score_warnings(run: InsightRun, ev: Evaluation) -> Section:
    sec = Section("warnings", "Early warnings (temporal hold-out)", "warnings")
    fit = RiskModelFit.objects.filter(run=run).first() if _has(run, "warnings") else None
    if fit is None:
        sec.missing = True
        return sec
    m = fit.metrics or {}
    figures = {}
    for name in ("model", "rules", "past_level"):
        a, p = _metric(m, name, *AUC_NAMES), _metric(m, name, *P10_NAMES)
        figures[name] = (a, p)
        sec.add(f"{name}: AUC", a, _n(m, name))
        sec.add(f"{name}: precision@10%", p)
    sec.add(
        "trained on / tested on",
        f"{', '.join(map(str, fit.trained_on))} / {', '.join(map(str, fit.tested_on))}",
    )
    (ma, mp), (ra, rp), (pa, pp) = figures["model"], figures["rules"], figures["past_level"]
    if ma is None or ra is None or pa is None:
        ev.model_beats_baselines = None
        ev.verdict = (
            "The hold-out AUCs are incomplete: the learned model cannot be compared with both baselines."
        )
    else:
        beats_auc = ma > ra and ma > pa
        beats_p = mp is None or rp is None or pp is None or (mp >= rp and mp >= pp)
        ev.model_beats_baselines = beats_auc and beats_p
        figures_text = f"AUC model {ma:.3f}, rules {ra:.3f}, past level {pa:.3f}"
        if ev.model_beats_baselines:
            margin = ma - max(ra, pa)
            ev.verdict = (
                f"The learned risk model beats both the rule baseline and the past-level baseline on the "
                f"temporal hold-out ({figures_text})"
                + (
                    f", but by only {margin:.3f} AUC over the better baseline: not a meaningful gain."
                    if margin < MEANINGFUL_AUC_GAIN
                    else "."
                )
            )
        else:
            ev.verdict = (
                f"The learned risk model does NOT beat both baselines on the temporal hold-out ({figures_text}): "
                "the rules are shipped."
            )
    sec.add("model chosen by the stage", "yes" if fit.chosen else "no (rules shipped)")
    ratios = list(_fairness_ratios(fit.fairness))
    by_scorer: dict[str, list[float]] = defaultdict(list)
    for path, r in ratios:
        by_scorer[path.split(".", 1)[0] if "." in path else "all"].append(r)
    if not ratios:
        sec.add(f"fairness ratios within {FAIR_LOW}–{FAIR_HIGH}", "n/a", 0, "no ratio stored by the stage")
    for scorer, values in sorted(by_scorer.items()):
        inside = sum(1 for r in values if fairness_ok([r]))
        sec.add(
            f"fairness ({scorer}): ratios within {FAIR_LOW}–{FAIR_HIGH}",
            "yes" if fairness_ok(values) else "no",
            len(values),
            f"{inside} of {len(values)} inside; range {min(values):.2f}–{max(values):.2f} "
            "(FPR and FDR by region, size band, remoteness against the reference group)",
        )
    return sec


def _n(metrics: Mapping[str, Any], name: str) -> int | None:
    block = metrics.get(name) or {}
    n = block.get("n") if isinstance(block, Mapping) else None
    return int(n) if isinstance(n, int | float) else None


def score_work_checks(run: InsightRun, truth: Mapping[str, Any]) -> Section:
    sec = Section("work_checks", "Work checks (nominated outstanding works)", "cases")
    if not _has(run, "cases"):
        sec.missing = True
        return sec
    generated = truth.get("generated", {})
    columns = generated.get("works_columns") or ["round", "esa", "rank", "label"]
    at = {name: i for i, name in enumerate(columns)}
    labels = {
        (str(w[at["round"]]), str(w[at["esa"]]), int(w[at["rank"]])): str(w[at["label"]])
        for w in generated.get("works", [])
    }
    rows = WorkCheck.objects.filter(run=run).values_list(
        "work__report__round__framework__fiscal_year",
        "work__report__round__code",
        "esa__code",
        "work__rank",
        "verdict",
    )
    pairs: list[tuple[str, str]] = []
    unmatched = 0
    for fy, code, esa, rank, verdict in rows:
        label = labels.get((f"{fy}/{code}", esa, rank))
        if label is None:
            unmatched += 1
            continue
        pairs.append((verdict, label))
    ag = agreement(pairs)
    sec.add("agreement with the true label", ag.share, ag.total, f"{unmatched} checks without a truth label")
    by_label: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (pred, true), n in ag.confusion.items():
        by_label[true][1] += n
        if pred == true:
            by_label[true][0] += n
    for label, (hit, total) in sorted(by_label.items()):
        sec.add(f"recall of '{label}'", hit / total if total else None, total)
    return sec


def evaluate_run(run: InsightRun, truth: Mapping[str, Any], noise_sd: Mapping[str, float]) -> Evaluation:
    """Score ``run`` against ``truth`` (see the module docstring)."""
    ev = Evaluation(run_id=run.pk, round_key=run.round.key, sections=[])
    ev.sections = [
        score_trends(run, truth, noise_sd),
        score_strengths(run, truth),
        score_deviants(run, truth),
        score_warnings(run, ev),
        score_work_checks(run, truth),
    ]
    if ev.section("warnings").missing:
        ev.verdict = "No risk model in this run: the learned model could not be compared with the baselines."
    return ev


def _fmt(value: float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return _cell(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def evaluation_markdown(ev: Evaluation, *, when: dt.date, commit: str, seconds: float | None = None) -> str:
    """The "Insights evaluation" section of ``bench/RESULTS.md`` (its heading included)."""
    missing = [s.stage for s in ev.sections if s.missing]
    lines = [
        "## Insights evaluation",
        "",
        f"Command: `suksa insights evaluate --round {ev.round_key} --write-results` on the national demo "
        f"(`suksa demo --scale national --records none`), run #{ev.run_id}. Measured {when.isoformat()}, "
        f"commit `{commit}`.",
        "",
    ]
    if missing:
        lines += [f"Stages not in the run (not scored): {', '.join(missing)}.", ""]
    lines += ["| signal | figure | value | n | note |", "|---|---|---:|---:|---|"]
    for s in ev.sections:
        if s.missing:
            lines.append(f"| {s.title} | – | not computed | | stage `{s.stage}` missing |")
            continue
        for m in s.metrics:
            lines.append(
                f"| {s.title} | {_cell(m.name)} | {_fmt(m.value)} | {'' if m.n is None else f'{m.n:,}'} "
                f"| {_cell(m.note)} |"
            )
    lines += ["", f"**Learned model vs baselines:** {ev.verdict}", ""]
    if seconds is not None:
        lines += [f"Evaluation took {seconds:.1f} s.", ""]
    return "\n".join(lines)


def replace_section(text: str, heading: str, section: str) -> str:
    """``text`` with the section under ``heading`` (up to the next ``## `` heading) replaced by
    ``section``, or ``section`` appended when there is none."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    body = section.rstrip("\n").splitlines()
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join([*lines, "", *body]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = lines[end:]
    return "\n".join([*lines[:start], *body, *([""] if tail else []), *tail]) + "\n"
