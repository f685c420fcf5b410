"""Form fields shared by the web pages.

:class:`BEDateField` lets people type dates the way they read them, in the Buddhist Era
(``21/11/2569``), instead of the browser's CE date picker; the value is a CE :class:`datetime.date`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from suksa.core.dates import format_be_input, parse_be
from suksa.core.errors import InvalidInput
from suksa.core.i18n import bi

BE_DATE_PLACEHOLDER = "วว/ดด/ปปปป"


class BEDateInput(forms.TextInput):
    """A text box for a BE date: numeric keyboard on phones, initial dates shown as ``dd/mm/yyyy`` BE."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": BE_DATE_PLACEHOLDER,
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "size": "10",
            "title": bi("วันที่เป็นปี พ.ศ. เช่น 21/11/2569", "Date in the Buddhist Era, e.g. 21/11/2569"),
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return format_be_input(value)
        return super().format_value(value)


class BEDateField(forms.Field):
    """A date typed in the Buddhist Era (``21/11/2569``, ``21-11-2569``, ``2569-11-21``).

    Cleans to a CE :class:`datetime.date`; bad input is reported in Thai and English
    (see :func:`suksa.core.dates.parse_be` for what is accepted and why CE years are refused).
    """

    widget = BEDateInput
    default_error_messages = {"required": "กรุณากรอกวันที่ · Enter a date"}

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_be(str(value))
        except InvalidInput as exc:
            messages = [f"{p.th} · {p.en}" for p in exc.problems]
            raise ValidationError(
                messages, code=exc.problems[0].code if exc.problems else "invalid"
            ) from None
