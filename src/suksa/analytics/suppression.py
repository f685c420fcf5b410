"""Small-cell suppression for public and cross-office outputs (PDPA B.E. 2562).

A count of 1–4 persons can identify a pupil in a small school, so it is withheld, as is any rate
computed from such a count. Zero is kept, as statistical agencies usually do: "no pupil repeated"
is the most common value in small units and hiding it would blank most tables. Where a zero (or a
full 100 %) would itself disclose something about every member of a group, pass
``complement=True`` to ``suppress_rate`` so that 1–4 persons *outside* the numerator are withheld too.

Suppression only covers cells one at a time. Totals minus published parts can still reveal a
withheld cell; guarding against that (secondary suppression) is the job of whoever lays out the
table.
"""

from __future__ import annotations

import dataclasses

from .uis.rate import Rate

MIN_CELL = 5
SUPPRESSED_TH = "ปกปิด (<5)"
SUPPRESSED_EN = "suppressed (<5)"


def suppressed_label(min_cell: int = MIN_CELL) -> tuple[str, str]:
    """The (Thai, English) label shown in place of a withheld value."""
    if min_cell == MIN_CELL:
        return SUPPRESSED_TH, SUPPRESSED_EN
    return f"ปกปิด (<{min_cell})", f"suppressed (<{min_cell})"


def is_small(n: float, min_cell: int = MIN_CELL) -> bool:
    """True for a count strictly between 0 and ``min_cell``: the cells that are withheld."""
    return 0 < n < min_cell


def suppress_count(n: int, min_cell: int = MIN_CELL) -> int | None:
    """``n`` unchanged, or None when 0 < n < ``min_cell``. Zero stays 0."""
    if n < 0:
        raise ValueError(f"a count must not be negative, got {n}")
    return None if is_small(n, min_cell) else n


def suppress_rate(rate: Rate, min_cell: int = MIN_CELL, *, complement: bool = False) -> Rate:
    """The rate with ``value`` None and ``suppressed`` True when its numerator or denominator is
    between 1 and ``min_cell`` − 1 (with ``complement``, also when denominator − numerator is).

    Meant for rates over persons; rates over pupil-days or a synthetic cohort have no small cells
    of people. The returned Rate still carries its numerator and denominator for internal
    provenance: publish only ``value`` and the label, or use ``publishable_rate``.
    """
    small = is_small(rate.numerator, min_cell) or is_small(rate.denominator, min_cell)
    if complement:
        small = small or is_small(rate.denominator - rate.numerator, min_cell)
    if not small:
        return rate
    return dataclasses.replace(rate, value=None, suppressed=True)


def publishable_rate(
    rate: Rate, min_cell: int = MIN_CELL, *, complement: bool = False
) -> dict[str, float | str | bool | None]:
    """A rate as it may leave the platform. When suppressed, value, numerator and denominator are all
    None (any one of them, with the others, could give the small count away) and a label is set.
    """
    checked = suppress_rate(rate, min_cell, complement=complement)
    label_th, label_en = suppressed_label(min_cell) if checked.suppressed else ("", "")
    return {
        "value": checked.value,
        "numerator": None if checked.suppressed else rate.numerator,
        "denominator": None if checked.suppressed else rate.denominator,
        "suppressed": checked.suppressed,
        "formula": rate.formula,
        "label_th": label_th,
        "label_en": label_en,
    }
