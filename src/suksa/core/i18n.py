"""Thai-first bilingual text: ``bi("ไทย", "English")`` picks by the active language.

Thai and English stand side by side where a string is written, so that no screen, message or
export can lack either (docs/adr/0004-bilingual-strings.md). Django's own strings (admin, form
validation) keep using gettext and Django's shipped Thai catalogue.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import lazy


def current_language() -> str:
    return (translation.get_language() or "th")[:2]


def pick(th: str, en: str, language: str | None = None) -> str:
    return en if (language or current_language()).startswith("en") else th


bi = lazy(pick, str)


def label_pair(label: object) -> tuple[str, str]:
    """(Thai, English) of a choice label written ``"ไทย / English"``; English falls back to Thai."""
    th, sep, en = str(label).partition(" / ")
    return th, (en if sep else th)
