"""Template helpers: bilingual text, Buddhist-Era dates and the figures the org pages show."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from suksa.core.dates import format_be
from suksa.core.i18n import current_language, label_pair, pick
from suksa.core.identifiers import format_citizen_id

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


# --- audit entries: readable changes ------------------------------------------------------------

CHANGE_VALUE_MAX = 80


def _change_text(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_lines(changes: object) -> tuple[list[tuple[str, str, str | None]], bool]:
    """``(key, value_or_old, new)`` lines for an audit entry's ``changes``, and whether any was cut.

    A diff ``{field: [old, new]}`` (every value a pair) gives ``(field, old, new)``; any other dict
    gives ``(key, value, None)``. Values longer than :data:`CHANGE_VALUE_MAX` characters end in "…".
    """

    truncated = False

    def cut(text: str) -> str:
        nonlocal truncated
        if len(text) <= CHANGE_VALUE_MAX:
            return text
        truncated = True
        return text[: CHANGE_VALUE_MAX - 1] + "…"

    if not isinstance(changes, dict):
        return (
            [("", cut(_change_text(changes)), None)] if changes not in (None, "", [], {}) else []
        ), truncated
    is_diff = bool(changes) and all(isinstance(v, list | tuple) and len(v) == 2 for v in changes.values())
    lines: list[tuple[str, str, str | None]] = []
    for key, value in changes.items():
        if is_diff:
            lines.append((str(key), cut(_change_text(value[0])), cut(_change_text(value[1]))))
        else:
            lines.append((str(key), cut(_change_text(value)), None))
    return lines, truncated


@register.filter
def audit_changes(changes: object) -> SafeString:
    """``{{ entry.changes|audit_changes }}``: "field: old → new" (or "key: value") lines, escaped.

    Thai stays readable (no ``\\u0e..`` escapes); when a value is cut short the full JSON follows in
    a ``<details>`` element.
    """
    lines, truncated = change_lines(changes)
    if not lines:
        return SafeString("")
    items = []
    for key, old, new in lines:
        label = format_html('<span class="audit-key">{}</span>: ', key) if key else ""
        if new is None:
            items.append(format_html("<li>{}{}</li>", label, old))
        else:
            items.append(
                format_html(
                    '<li>{}{} <span aria-hidden="true">→</span><span class="visually-hidden"> {} </span> {}</li>',
                    label,
                    old,
                    pick("เป็น", "to"),
                    new,
                )
            )
    html = format_html(
        '<ul class="audit-changes list-unstyled mb-0">{}</ul>',
        format_html_join("", "{}", ((i,) for i in items)),
    )
    if truncated:
        full = json.dumps(changes, ensure_ascii=False, sort_keys=True, indent=2)
        html = format_html(
            '{}<details class="audit-changes-full"><summary>{}</summary><pre class="small mb-0">{}</pre></details>',
            html,
            pick("ดูทั้งหมด (JSON)", "Full details (JSON)"),
            full,
        )
    return html


@register.filter
def choice_label(label: str) -> str:
    """A model choice label written ``"ไทย / English"``, in the active language."""
    return pick(*label_pair(label))


_CENSUS_ROUND_NAMES = {
    "jun10": ("รอบภาคเรียนที่ 1", "Semester 1 round"),
    "nov10": ("รอบภาคเรียนที่ 2", "Semester 2 round"),
    "year_end": ("รอบสิ้นปีการศึกษา", "Year-end round"),
}


@register.filter
def census_round_name(round_code: str) -> str:
    """A census round's name for placing beside its date ("รอบภาคเรียนที่ 2 · 10 พ.ย. 2569"); the
    choice labels are themselves dates ("10 พฤศจิกายน"), which read twice next to the date."""
    th, en = _CENSUS_ROUND_NAMES.get(str(round_code), (str(round_code), str(round_code)))
    return pick(th, en)


@register.filter
def person_id(value: str) -> str:
    """A learner's identifier as people write it: a citizen ID ``1-2345-67890-12-3``, a G-code as is."""
    return format_citizen_id(value) if value and value.isdigit() else (value or "")


@register.filter
def path_code(path: str) -> str:
    """The code of the unit at the end of a materialised path (``/OBEC/R01/11201/`` → ``11201``)."""
    parts = [p for p in (path or "").split("/") if p]
    return parts[-1] if parts else ""
