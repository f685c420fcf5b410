"""A framework built from the current catalogue with the default sections and rounds.

What a new fiscal year starts from (the M&E officer then edits it) and what the demo and the tests
use. Not audited per row: the caller (a service or the demo) records one entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    Indicator,
    NarrativeSection,
    Round,
    Standard,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import FrameworkStatus
from suksa.domains.monitoring.periods import default_round_dates, round_names
from suksa.domains.monitoring.seed import SECTIONS, catalogue_seed


def ensure_catalogue() -> None:
    """Seed the catalogue when a database (e.g. a flushed test database) has none."""
    if not Indicator.objects.exists():
        catalogue_seed(Standard, Indicator, ValidationRule)


def framework_build(
    fiscal_year: int,
    *,
    months: Iterable[int] = (6, 12),
    status: str = FrameworkStatus.ACTIVE,
    indicator_codes: Iterable[str] | None = None,
) -> Framework:
    ensure_catalogue()
    with transaction.atomic():
        fw = Framework.objects.create(
            fiscal_year=fiscal_year,
            name_th=f"กรอบการติดตามและประเมินผล สพท. ปีงบประมาณ {fiscal_year}",
            name_en=f"ESA monitoring framework, FY {fiscal_year}",
            status=status,
            target_group_th="เขตพื้นที่เป้าหมาย",
            target_group_en="Target areas",
        )
        standards = {s.code: s for s in Standard.objects.all()}
        inds = Indicator.objects.filter(is_current=True).prefetch_related("standards").order_by("code")
        if indicator_codes is not None:
            inds = inds.filter(code__in=list(indicator_codes))
        FrameworkIndicator.objects.bulk_create(
            [
                FrameworkIndicator(
                    framework=fw,
                    indicator=ind,
                    standard=min(ind.standards.all(), key=lambda s: s.order, default=standards["3"]),
                    order=n,
                )
                for n, ind in enumerate(inds)
            ]
        )
        NarrativeSection.objects.bulk_create(
            [
                NarrativeSection(
                    framework=fw, standard=standards[std], code=code, title_th=t_th, title_en=t_en,
                    guidance_th=g_th, guidance_en=g_en, order=n, min_chars=80,
                )
                for n, (std, code, t_th, t_en, g_th, g_en) in enumerate(SECTIONS)
            ]
        )  # fmt: skip
        for m in months:
            name_th, name_en = round_names(fiscal_year, m)
            Round.objects.create(
                framework=fw, code=f"m{m}", months=m, name_th=name_th, name_en=name_en,
                **default_round_dates(fiscal_year, m),
            )  # fmt: skip
    return fw
