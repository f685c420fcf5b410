"""Thai-aware text helpers: a search key that matches however a user types a Thai name."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Zero-width characters that Thai input methods and copy-paste leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"), None)
# Common spelling variants: sara am written as nikhahit + sara aa.
_VARIANTS = [("\u0e4d\u0e32", "\u0e33"), ("\u0e40\u0e40", "\u0e41")]
# ... also with the tone mark typed between them (นํ้า for น้ำ); the tone goes before sara am.
_SARA_AM_SPLIT = re.compile("\u0e4d([\u0e48-\u0e4b])\u0e32")
# Prefixes users leave out when they search ("โรงเรียนบ้านนา" → "บ้านนา").
_PREFIXES = ("โรงเรียน", "รร.", "ร.ร.", "สำนักงานเขตพื้นที่การศึกษา", "สพป.", "สพม.")


def normalize_thai(text: str) -> str:
    """NFC, drop invisible characters, fold sara-am and doubled-e variants, collapse spaces, lower."""
    value = unicodedata.normalize("NFC", text or "").translate(_INVISIBLE)
    value = _SARA_AM_SPLIT.sub("\\1\u0e33", value)
    for old, new in _VARIANTS:
        value = value.replace(old, new)
    return _SPACES.sub(" ", value).strip().lower()


def search_key(*parts: str) -> str:
    """One normalised string to match searches against (code, Thai name, English name)."""
    return " | ".join(normalize_thai(p) for p in parts if p)


def search_terms(query: str) -> list[str]:
    """Split a user's query into normalised terms, dropping institutional prefixes."""
    q = normalize_thai(query)
    for prefix in _PREFIXES:
        q = q.replace(prefix, " ")
    return [t for t in _SPACES.split(q) if t]
