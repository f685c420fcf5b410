"""Small-cell suppression: 1–4 persons are withheld, 0 is kept."""

from __future__ import annotations

import pytest

from suksa.analytics.suppression import (
    MIN_CELL,
    SUPPRESSED_EN,
    SUPPRESSED_TH,
    publishable_rate,
    suppress_count,
    suppress_rate,
    suppressed_label,
)
from suksa.analytics.uis import Rate


def test_counts_of_one_to_four_are_withheld_and_zero_is_kept() -> None:
    assert MIN_CELL == 5
    assert [suppress_count(n) for n in range(7)] == [0, None, None, None, None, 5, 6]
    assert suppress_count(9, min_cell=10) is None
    with pytest.raises(ValueError, match="must not be negative"):
        suppress_count(-1)


def test_labels() -> None:
    assert (SUPPRESSED_TH, SUPPRESSED_EN) == ("ปกปิด (<5)", "suppressed (<5)")
    assert suppressed_label() == ("ปกปิด (<5)", "suppressed (<5)")
    assert suppressed_label(10) == ("ปกปิด (<10)", "suppressed (<10)")


def test_rate_with_a_small_numerator_or_denominator_is_withheld() -> None:
    small_numerator = suppress_rate(Rate.of(3, 40, "d/n"))
    assert (small_numerator.value, small_numerator.suppressed) == (None, True)
    assert (small_numerator.numerator, small_numerator.denominator, small_numerator.formula) == (3, 40, "d/n")
    assert suppress_rate(Rate.of(0, 3, "d/n")).suppressed
    kept = Rate.of(0, 40, "d/n")
    assert suppress_rate(kept) is kept
    assert suppress_rate(Rate.of(5, 40, "d/n")).value == 0.125


def test_complement_option_withholds_rates_near_one() -> None:
    # 38 of 40 promoted also says that 2 pupils were not.
    rate = Rate.of(38, 40, "p/n")
    assert suppress_rate(rate).value == 0.95
    assert suppress_rate(rate, complement=True).value is None


def test_publishable_rate_hides_every_count_of_a_suppressed_rate() -> None:
    assert publishable_rate(Rate.of(3, 40, "d/n")) == {
        "value": None,
        "numerator": None,
        "denominator": None,
        "suppressed": True,
        "formula": "d/n",
        "label_th": "ปกปิด (<5)",
        "label_en": "suppressed (<5)",
    }
    assert publishable_rate(Rate.of(10, 40, "d/n")) == {
        "value": 0.25,
        "numerator": 10,
        "denominator": 40,
        "suppressed": False,
        "formula": "d/n",
        "label_th": "",
        "label_en": "",
    }
