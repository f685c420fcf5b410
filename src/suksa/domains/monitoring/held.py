"""Report once: the registry of figures the platform already holds.

An indicator the catalogue marks ``reported`` is asked of every ESA in every round. It must never
name a figure the platform already holds (issue 4, item 6): such a field would be typed again by
245 offices although the number is one query away. :func:`platform_held_codes` is the one answer
to "does the platform hold this figure?"; the catalogue service refuses a reported indicator whose
code (or source) is in it, and ``tests/test_report_once.py`` enumerates the catalogue and every
framework against it.

A code is held when any of these produces it:

- the students domain's indicator producer (``students.services.indicators.CODES``);
- the monitoring domain's own platform producer (``services.platform_indicators.CODES``);
- a computed or imported indicator of the current catalogue (its ``source["indicator"]``);
- any stored ``core.IndicatorValue`` (whoever wrote it: a producer or an external import).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suksa.core.models import IndicatorValue
from suksa.domains.monitoring.models import Indicator
from suksa.domains.monitoring.models.choices import SourceKind


def producer_codes() -> frozenset[str]:
    """Codes the platform's own producers compute (known without looking at the database)."""
    from suksa.domains.monitoring.services.platform_indicators import CODES as PLATFORM_CODES
    from suksa.domains.students.services.indicators import CODES as STUDENT_CODES

    return frozenset(STUDENT_CODES) | frozenset(PLATFORM_CODES)


def catalogue_source_codes(*, excluding: str | None = None) -> frozenset[str]:
    """The ``source["indicator"]`` of every current computed or imported catalogue indicator
    (``excluding`` one catalogue code: the indicator being revised, whose source is replaced)."""
    rows = Indicator.objects.filter(is_current=True).exclude(source_kind=SourceKind.REPORTED)
    if excluding:
        rows = rows.exclude(code=excluding)
    codes: set[str] = set()
    for source in rows.values_list("source", flat=True):
        code = source.get("indicator") if isinstance(source, Mapping) else None
        if code:
            codes.add(str(code))
    return frozenset(codes)


def stored_codes() -> frozenset[str]:
    """Every indicator code with at least one stored value (one ``DISTINCT`` query)."""
    return frozenset(IndicatorValue.objects.order_by().values_list("indicator", flat=True).distinct())


def platform_held_codes(*, excluding: str | None = None) -> frozenset[str]:
    """Every figure code the platform holds (see the module docstring)."""
    return producer_codes() | catalogue_source_codes(excluding=excluding) | stored_codes()


def held_names(code: str, source: Mapping[str, Any] | None, held: frozenset[str]) -> list[str]:
    """The names under which an asked indicator (``code`` with ``source``) is already held."""
    names = [code] if code in held else []
    other = (source or {}).get("indicator")
    if other and other != code and other in held:
        names.append(str(other))
    return names
