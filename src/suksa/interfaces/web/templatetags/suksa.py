"""Template helpers: bilingual text, Buddhist-Era dates and the figures the org pages show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import template
from django.utils import timezone

from suksa.core.dates import format_be
from suksa.core.i18n import current_language, pick

register = template.Library()


@register.simple_tag
def tr(th: str, en: str) -> str:
    """``{% tr "หน้าหลัก" "Home" %}``: the string in the active language."""
    return pick(th, en)


@register.filter
def be_date(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    """``{{ d|be_date }}`` → ``21 พ.ย. 2569`` (Thai) or ``21 Nov 2569 BE`` (English)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_be(value, current_language(), style)


@register.filter
def name_in(obj: object, language: str = "") -> str:
    """The Thai or English name of an object with ``name_th``/``name_en``."""
    th = getattr(obj, "name_th", "") or ""
    en = getattr(obj, "name_en", "") or ""
    return pick(th, en or th, language or None)


@register.filter
def pair(value: Sequence[str] | None) -> str:
    """``{{ label_pair|pair }}``: pick from a ``(thai, english)`` pair by the active language."""
    if not value:
        return ""
    th, en = value[0], value[1]
    return pick(th, en or th)


@register.filter
def num(value: int | float | None, digits: int = 0) -> str:
    """Thousands separators (Thai usage matches English: ``1,234``); a dash for a missing value."""
    if value is None or value == "":
        return "–"
    return f"{value:,.{int(digits)}f}"


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """A share in ``[0, 1]`` as a percentage; a dash when the base was empty."""
    if value is None:
        return "–"
    return f"{value * 100:.{int(digits)}f}%"
