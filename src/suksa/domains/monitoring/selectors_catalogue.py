"""Reads of the catalogue, targets, frameworks, rounds and rules (national reference data).

Any signed-in actor with ``org.view`` somewhere reads them; everyone else is refused. Each read is
a bounded number of queries whatever the size of the catalogue or the number of ESAs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.policy import Actor
from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    Indicator,
    NarrativeSection,
    PolicyPoint,
    Report,
    Round,
    Standard,
    Target,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.selectors import can_read_reference


def _require_reader(actor: Actor) -> None:
    if not can_read_reference(actor):
        raise PermissionDenied.default()


def indicators_for(
    actor: Actor,
    *,
    source_kind: str = "",
    domain: str = "",
    standard: str = "",
    include_retired: bool = False,
) -> QuerySet[Indicator]:
    """Current indicators (or every version with ``include_retired``), filtered; three queries."""
    _require_reader(actor)
    rows = Indicator.objects.all() if include_retired else Indicator.objects.filter(is_current=True)
    if source_kind:
        rows = rows.filter(source_kind=source_kind)
    if domain:
        rows = rows.filter(domain=domain)
    if standard:
        rows = rows.filter(standards__code=standard)
    return rows.prefetch_related("standards", "policy_points").order_by("code", "-version")


@dataclass
class IndicatorDetail:
    current: Indicator | None  # None when the code is retired
    versions: list[Indicator]  # newest first
    targets: list[Target] = field(default_factory=list)

    @property
    def latest(self) -> Indicator:
        return self.versions[0]


def indicator_detail(actor: Actor, code: str) -> IndicatorDetail:
    _require_reader(actor)
    versions = list(
        Indicator.objects.filter(code=code)
        .prefetch_related("standards", "policy_points")
        .order_by("-version")
    )
    if not versions:
        raise NotFoundOrNoAccess.default()
    current = next((v for v in versions if v.is_current), None)
    targets = list(
        Target.objects.filter(indicator_code=code)
        .select_related("unit")
        .order_by("-fiscal_year", "peer_group", "unit__code")
    )
    return IndicatorDetail(current=current, versions=versions, targets=targets)


def targets_for(
    actor: Actor, *, fiscal_year: int | None = None, indicator_code: str = ""
) -> QuerySet[Target]:
    _require_reader(actor)
    rows = Target.objects.select_related("unit")
    if fiscal_year is not None:
        rows = rows.filter(fiscal_year=fiscal_year)
    if indicator_code:
        rows = rows.filter(indicator_code=indicator_code)
    return rows.order_by("-fiscal_year", "indicator_code", "peer_group", "unit__code")


def policy_points_for(actor: Actor, fiscal_year: int | None = None) -> QuerySet[PolicyPoint]:
    _require_reader(actor)
    rows = PolicyPoint.objects.all()
    return rows.filter(fiscal_year=fiscal_year) if fiscal_year is not None else rows


def standards_for(actor: Actor) -> QuerySet[Standard]:
    _require_reader(actor)
    return Standard.objects.order_by("order", "code")


def frameworks_for(actor: Actor) -> QuerySet[Framework]:
    _require_reader(actor)
    return Framework.objects.annotate(
        item_count=Count("items", distinct=True),
        round_count=Count("rounds", distinct=True),
        area_count=Count("target_areas", distinct=True),
    ).order_by("-fiscal_year")


def framework_for(actor: Actor, framework_id: int) -> Framework:
    """One framework with its items, sections, target areas, rounds and rules prefetched."""
    _require_reader(actor)
    fw = (
        Framework.objects.filter(pk=framework_id)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=FrameworkIndicator.objects.select_related("indicator", "standard").order_by(
                    "standard__order", "order", "id"
                ),
            ),
            Prefetch("sections", queryset=NarrativeSection.objects.select_related("standard")),
            Prefetch(
                "target_areas", queryset=TargetArea.objects.select_related("unit").order_by("unit__code")
            ),
            Prefetch("rounds", queryset=Round.objects.order_by("period_end", "code")),
            Prefetch("rules", queryset=ValidationRule.objects.order_by("code")),
        )
        .first()
    )
    if fw is None:
        raise NotFoundOrNoAccess.default()
    return fw


def global_rules(actor: Actor) -> QuerySet[ValidationRule]:
    _require_reader(actor)
    return ValidationRule.objects.filter(framework__isnull=True).order_by("code")


def rules_for(actor: Actor, *, framework_id: int | None = None) -> QuerySet[ValidationRule]:
    _require_reader(actor)
    rows = ValidationRule.objects.all()
    if framework_id is not None:
        rows = rows.filter(Q(framework_id=framework_id) | Q(framework__isnull=True))
    return rows.order_by("framework_id", "code")


def rule_for(actor: Actor, rule_id: int) -> ValidationRule:
    _require_reader(actor)
    rule = ValidationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFoundOrNoAccess.default()
    return rule


def rounds_for(actor: Actor, *, framework_id: int | None = None) -> QuerySet[Round]:
    _require_reader(actor)
    rows = Round.objects.select_related("framework").annotate(report_count=Count("reports"))
    if framework_id is not None:
        rows = rows.filter(framework_id=framework_id)
    return rows.order_by("-period_end", "code")


def round_for(actor: Actor, round_id: int) -> Round:
    _require_reader(actor)
    rnd = (
        Round.objects.select_related("framework")
        .annotate(report_count=Count("reports"))
        .filter(pk=round_id)
        .first()
    )
    if rnd is None:
        raise NotFoundOrNoAccess.default()
    return rnd


def report_counts(round_ids: list[int]) -> dict[int, int]:
    """Reports per round (one grouped query): how far a round has gone."""
    return dict(
        Report.objects.filter(round_id__in=round_ids)
        .values_list("round_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
