"""DEA against textbook examples whose scores can be checked by hand."""

from __future__ import annotations

import math

import pytest

from suksa.analytics.dea import dea, scale_efficiency

# Cooper, Seiford & Tone, "Data Envelopment Analysis" (2nd ed., 2007), ch. 1: six stores, two
# inputs (employees, floor area), one output (sales = 1). The frontier is E–D–C; by the geometry
# of the ray from the origin, A = 6/7 (on segment D–E) and B = 12/19 (on segment C–D); F lies on
# the extension of the frontier behind C: θ = 1 with an input slack of 2 (weakly efficient).
STORES = {
    1: ((4.0, 3.0), (1.0,)),  # A
    2: ((7.0, 3.0), (1.0,)),  # B
    3: ((8.0, 1.0), (1.0,)),  # C
    4: ((4.0, 2.0), (1.0,)),  # D
    5: ((2.0, 4.0), (1.0,)),  # E
    6: ((10.0, 1.0), (1.0,)),  # F
}

# One input, one output (ch. 4 style): CCR θ = (y/x) / max(y/x); BCC: the frontier C(2,2) –
# B(3,3) – F(6,5); E(5,4) reaches output 4 on B–F with input 4.5 (θ = 0.9); D(4,3) with B's input
# 3 (θ = 0.75); A(2,1) cannot use less input than C's 2 (θ = 1, output slack 1).
SINGLE = {
    1: ((2.0,), (1.0,)),  # A
    2: ((3.0,), (3.0,)),  # B
    3: ((2.0,), (2.0,)),  # C
    4: ((4.0,), (3.0,)),  # D
    5: ((5.0,), (4.0,)),  # E
    6: ((6.0,), (5.0,)),  # F
}


def test_ccr_two_inputs_one_output_textbook_scores() -> None:
    result = dea(STORES, model="ccr", input_names=("staff", "area"), output_names=("sales",))
    scores = {k: u.score for k, u in result.units.items()}
    assert scores[1] == pytest.approx(6 / 7, abs=1e-6)
    assert scores[2] == pytest.approx(12 / 19, abs=1e-6)
    assert scores[3] == scores[4] == scores[5] == scores[6] == 1.0
    # A's peers are D and E: 5/7·D + 2/7·E = (24/7, 18/7) = 6/7 · A, with sales 1
    a = result.units[1]
    assert a.peers == [4, 5]
    assert a.lambdas[4] == pytest.approx(5 / 7, abs=1e-6)
    assert a.lambdas[5] == pytest.approx(2 / 7, abs=1e-6)
    # B's peers are C and D
    assert set(result.units[2].peers) == {3, 4}
    # F is only weakly efficient: C uses 2 fewer staff for the same sales
    f = result.units[6]
    assert not f.efficient
    assert f.input_slacks == pytest.approx((2.0, 0.0), abs=1e-6)
    assert f.peers == [3]
    assert result.units[3].efficient
    assert result.units[3].peers == [3]
    assert result.input_names == ("staff", "area")
    assert result.excluded == {}
    assert result.status == "ok"


def test_ccr_and_bcc_one_input_one_output_and_scale_efficiency() -> None:
    ccr = dea(SINGLE, model="ccr")
    bcc = dea(SINGLE, model="bcc")
    assert {k: u.score for k, u in ccr.units.items()} == pytest.approx(
        {1: 0.5, 2: 1.0, 3: 1.0, 4: 0.75, 5: 0.8, 6: 5 / 6}, abs=1e-6
    )
    assert {k: u.score for k, u in bcc.units.items()} == pytest.approx(
        {1: 1.0, 2: 1.0, 3: 1.0, 4: 0.75, 5: 0.9, 6: 1.0}, abs=1e-6
    )
    # E's BCC reference: half B and half F = (4.5, 4)
    assert bcc.units[5].lambdas == pytest.approx({2: 0.5, 6: 0.5}, abs=1e-6)
    assert sum(bcc.units[4].lambdas.values()) == pytest.approx(1.0)
    # A: θ = 1 but an output slack of 1 under BCC
    assert not bcc.units[1].efficient
    assert bcc.units[1].output_slacks == pytest.approx((1.0,), abs=1e-6)
    se = scale_efficiency(ccr, bcc)
    assert se == pytest.approx({1: 0.5, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.8 / 0.9, 6: 5 / 6}, abs=1e-6)


def test_bad_values_are_set_aside_with_their_reason() -> None:
    data = {
        **SINGLE,
        10: ((0.0,), (1.0,)),
        11: ((-2.0,), (1.0,)),
        12: ((None,), (1.0,)),
        13: ((2.0,), (math.nan,)),
        14: ((2.0,), (-1.0,)),
        15: ((2.0,), (0.0,)),
    }
    result = dea(data, model="ccr")
    assert result.excluded == {
        10: "non_positive_input",
        11: "non_positive_input",
        12: "missing",
        13: "missing",
        14: "negative_output",
        15: "zero_outputs",
    }
    # the others are scored exactly as without them
    assert result.units[5].score == pytest.approx(0.8, abs=1e-6)
    assert set(result.units) == set(SINGLE)


def test_too_few_units_and_unknown_model() -> None:
    result = dea({1: ((1.0,), (1.0,)), 2: ((0.0,), (1.0,))}, model="bcc")
    assert result.status == "too_few_units"
    assert result.units == {}
    assert result.excluded == {2: "non_positive_input"}
    with pytest.raises(ValueError, match="model"):
        dea(SINGLE, model="sbm")
