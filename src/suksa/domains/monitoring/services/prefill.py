"""Pre-fill the reports of a round from what the platform holds: report once.

For every ESA, every framework indicator whose source is computed or imported is filled from
``core.IndicatorValue`` (the ESA's own row, total breakdown, the period the round shows — see
``monitoring.periods``) with its provenance, read-only in the editor. Reported indicators get an
empty row to fill; narrative sections get an empty entry. Set-based: one query for the values of
all ESAs, bulk upserts, one audit entry per round. Idempotent: re-running refreshes pre-filled
values of reports still with the ESA (draft or returned) and never touches what the ESA wrote or
a report already submitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import PermissionDenied
from suksa.core.models import AuditEntry, IndicatorValue, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import (
    MAX_WORKS,
    FrameworkIndicator,
    NarrativeEntry,
    Report,
    ReportValue,
    Round,
)
from suksa.domains.monitoring.models.choices import ReportStatus, SourceKind, ValueOrigin
from suksa.domains.monitoring.periods import pick_period

BATCH = 2000
REFILLABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


@dataclass
class PrefillSummary:
    round_key: str
    reports_created: int = 0
    reports_filled: int = 0
    reports_skipped: int = 0  # already with the bureau: not touched
    values_prefilled: int = 0
    values_missing: int = 0  # the platform holds no value for the ESA and period
    fields_asked: int = 0
    fields_prefilled: int = 0
    by_indicator: dict[str, int] = field(default_factory=dict)


def esas_expected() -> QuerySet[OrgUnit]:
    """The ESAs that owe a report: every active ESA unit."""
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA, is_active=True)


def burden_of(items: list[FrameworkIndicator], sections: int) -> tuple[int, int]:
    """(fields asked of the ESA, fields pre-filled) for a framework: reported values, narrative
    sections and the outstanding-work slots are asked; computed and imported values are not."""
    asked = sum(1 for i in items if i.indicator.source_kind == SourceKind.REPORTED) + sections + MAX_WORKS
    return asked, sum(1 for i in items if i.indicator.source_kind != SourceKind.REPORTED)


def round_prefill(*, actor: Actor, round: Round, esa_ids: list[int] | None = None) -> PrefillSummary:
    """Create the round's missing reports and (re)fill every report still with its ESA."""
    if not _may_prefill(actor):
        raise PermissionDenied.default()
    framework = round.framework
    items = list(FrameworkIndicator.objects.filter(framework=framework).select_related("indicator"))
    sections = list(framework.sections.values_list("pk", flat=True))
    summary = PrefillSummary(round_key=round.key)
    summary.fields_asked, summary.fields_prefilled = burden_of(items, len(sections))
    now = timezone.now()
    with transaction.atomic():
        esas = esas_expected()
        if esa_ids is not None:
            esas = esas.filter(pk__in=esa_ids)
        esa_list = list(esas.values_list("pk", flat=True))
        have = set(Report.objects.filter(round=round, esa_id__in=esa_list).values_list("esa_id", flat=True))
        new = [Report(round=round, esa_id=e) for e in esa_list if e not in have]
        Report.objects.bulk_create(new, batch_size=BATCH)
        summary.reports_created = len(new)
        reports = dict(
            Report.objects.filter(round=round, esa_id__in=esa_list, status__in=REFILLABLE).values_list(
                "esa_id", "pk"
            )
        )
        summary.reports_filled = len(reports)
        summary.reports_skipped = len(esa_list) - len(reports)
        found = _platform_values(items, list(reports), round)
        rows: list[ReportValue] = []
        for esa_id, report_id in reports.items():
            for item in items:
                ind = item.indicator
                if ind.source_kind == SourceKind.REPORTED:
                    continue
                hit = found.get((esa_id, ind.pk))
                if hit is None:
                    summary.values_missing += 1
                    rows.append(_value(report_id, ind.pk, None, "", _no_data_source(ind.source), now))
                else:
                    summary.values_prefilled += 1
                    summary.by_indicator[ind.code] = summary.by_indicator.get(ind.code, 0) + 1
                    rows.append(_value(report_id, ind.pk, hit[0], hit[1], hit[2], now))
        ReportValue.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["report", "indicator"],
            update_fields=["origin", "value", "period", "source", "updated_at", "updated_by"],
        )
        asked = [
            ReportValue(report_id=r, indicator_id=i.indicator_id, origin=ValueOrigin.REPORTED)
            for r in reports.values()
            for i in items
            if i.indicator.source_kind == SourceKind.REPORTED
        ]
        ReportValue.objects.bulk_create(asked, batch_size=BATCH, ignore_conflicts=True)
        entries = [NarrativeEntry(report_id=r, section_id=s) for r in reports.values() for s in sections]
        NarrativeEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
        Report.objects.filter(pk__in=list(reports.values())).update(
            fields_asked=summary.fields_asked, fields_prefilled=summary.fields_prefilled, prefilled_at=now
        )
        Round.objects.filter(pk=round.pk).update(prefilled_at=now)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.round",
            object_id=round.pk,
            object_repr=f"prefill {round.key}",
            changes={
                "reports_created": summary.reports_created,
                "reports_filled": summary.reports_filled,
                "reports_skipped": summary.reports_skipped,
                "values_prefilled": summary.values_prefilled,
                "values_missing": summary.values_missing,
            },
        )
    return summary


def _may_prefill(actor: Actor) -> bool:
    """The bureau (``monitoring.manage`` at the nation) or the operator (a national system
    administrator: the CLI and the demo), as for reminders."""
    return actor.can_nationally(Perm.MONITORING_MANAGE) or actor.can_nationally(Perm.ORG_MANAGE)


def _value(
    report_id: int, indicator_id: int, value: float | None, period: str, source: dict[str, Any], now: Any
) -> ReportValue:
    return ReportValue(
        report_id=report_id,
        indicator_id=indicator_id,
        origin=ValueOrigin.PREFILLED,
        value=value,
        period=period,
        source=source,
        updated_at=now,
        updated_by="system",
    )


def _no_data_source(spec: dict[str, Any]) -> dict[str, Any]:
    return {"producer": spec.get("producer", ""), "indicator": spec.get("indicator", ""), "missing": True}


def _platform_values(
    items: list[FrameworkIndicator], esa_ids: list[int], round: Round
) -> dict[tuple[int, int], tuple[float | None, str, dict[str, Any]]]:
    """{(esa id, catalogue indicator id): (value in the catalogue's unit, period, provenance)}."""
    specs = {
        i.indicator.pk: i.indicator.source
        for i in items
        if i.indicator.source_kind != SourceKind.REPORTED and i.indicator.source.get("indicator")
    }
    if not specs or not esa_ids:
        return {}
    by_code: dict[tuple[str, str], list[int]] = {}
    for ind_id, spec in specs.items():
        by_code.setdefault((spec["indicator"], spec.get("breakdown", "")), []).append(ind_id)
    codes = sorted({c for c, _ in by_code})
    rows = (
        IndicatorValue.objects.filter(unit_id__in=esa_ids, indicator__in=codes, breakdown__in={b for _, b in by_code})
        .values_list(
            "unit_id", "indicator", "breakdown", "period", "value", "pk", "run_id", "run__producer",
            "computed_at", "suppressed", "formula_version", "numerator", "denominator",
        )
        .order_by("computed_at")
    )  # fmt: skip
    # (unit, code, breakdown) -> period -> latest row (ordered by computed_at: the last wins).
    table: dict[tuple[int, str, str], dict[str, tuple[Any, ...]]] = {}
    for row in rows.iterator(chunk_size=5000):
        table.setdefault((row[0], row[1], row[2]), {})[row[3]] = row
    out: dict[tuple[int, int], tuple[float | None, str, dict[str, Any]]] = {}
    for (code, breakdown), ind_ids in by_code.items():
        for ind_id in ind_ids:
            spec = specs[ind_id]
            producer = spec.get("producer")
            scale = float(spec.get("scale", 1))
            for esa_id in esa_ids:
                periods = table.get((esa_id, code, breakdown))
                if not periods:
                    continue
                if producer:
                    periods = {p: r for p, r in periods.items() if r[7] == producer}
                chosen = pick_period(
                    list(periods),
                    spec.get("period", "year"),
                    round_key=round.key,
                    period_end=round.period_end,
                    lag_days=int(spec.get("lag_days", 0)),
                )
                if chosen is None:
                    continue
                r = periods[chosen]
                value = None if r[4] is None else round_half(r[4] * scale)
                out[(esa_id, ind_id)] = (
                    value,
                    chosen,
                    {
                        "value_id": r[5], "run_id": r[6], "producer": r[7], "indicator": code,
                        "breakdown": breakdown, "unit_id": esa_id, "period": chosen,
                        "computed_at": r[8].isoformat() if r[8] else None, "suppressed": r[9],
                        "formula_version": r[10], "numerator": r[11], "denominator": r[12], "scale": scale,
                    },
                )  # fmt: skip
    return out


def round_half(x: float, digits: int = 4) -> float:
    return round(x, digits)
