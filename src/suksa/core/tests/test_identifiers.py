"""Citizen ID, G-code and school code: checksum, format and the exact bilingual messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.core.errors import InvalidInput
from suksa.core.identifiers import (
    citizen_id_check_digit,
    citizen_id_problem,
    format_citizen_id,
    g_code_problem,
    school_code_problem,
    validate_citizen_id,
    validate_g_code,
    validate_school_code,
)

first12 = st.tuples(
    st.sampled_from("12345678"), st.text(alphabet="0123456789", min_size=11, max_size=11)
).map("".join)


def with_check(first: str) -> str:
    return first + str(citizen_id_check_digit(first))


def test_known_valid_id() -> None:
    # Σ d_i·(14−i) for 1 1 0 1 7 0 0 2 3 0 4 5 = 13+12+0+10+63+0+0+12+15+0+12+10 = 147; 147 mod 11 = 4;
    # (11 − 4) mod 10 = 7.
    assert citizen_id_check_digit("110170023045") == 7
    assert citizen_id_problem("1101700230457") is None


@given(first12)
def test_every_generated_id_passes(first: str) -> None:
    assert citizen_id_problem(with_check(first)) is None


def remainder(first: str) -> int:
    """Σ d_i·(14 − i) mod 11, written out independently of the code under test."""
    weights = [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    return sum(int(d) * w for d, w in zip(first, weights, strict=True)) % 11


@given(first12, st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=9))
def test_changing_a_single_digit_fails(first: str, position: int, delta: int) -> None:
    """Every single-digit change is caught, except the two blind spots of the official algorithm:
    the third digit has weight 11 (≡ 0 mod 11), and remainders 0 and 10 share check digit 1."""
    valid = with_check(first)
    digits = list(valid)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    problem = citizen_id_problem(changed)
    blind_spot = position == 2 or (position < 12 and {remainder(first), remainder(changed[:12])} == {0, 10})
    if changed[0] in "09":
        assert problem is not None
        assert problem.code == "citizen_id_first_digit"
    elif blind_spot:
        assert problem is None
    else:
        assert problem is not None
        assert problem.code == "citizen_id_checksum"


def test_third_digit_blind_spot_example() -> None:
    assert citizen_id_problem("1191700230457") is None  # only d3 changed (0 → 9): weight 11


@given(first12)
def test_formatting_round_trips(first: str) -> None:
    value = with_check(first)
    shown = format_citizen_id(value)
    assert shown == f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"
    assert citizen_id_problem(shown) is None
    assert validate_citizen_id(shown) == value


def test_format_leaves_other_lengths_alone() -> None:
    assert format_citizen_id("12345") == "12345"


@pytest.mark.parametrize("first", ["0", "9"])
def test_first_digit_zero_or_nine_is_rejected(first: str) -> None:
    value = with_check(first + "10170023045")
    problem = citizen_id_problem(value)
    assert problem is not None
    assert problem.code == "citizen_id_first_digit"
    assert problem.th == f"เลขประจำตัวประชาชน '{value}' ต้องไม่ขึ้นต้นด้วย 0 หรือ 9"
    assert problem.en == f"Citizen ID '{value}' cannot start with 0 or 9"


def test_wrong_length_and_checksum_messages() -> None:
    short = citizen_id_problem("12345")
    assert short is not None
    assert (short.code, short.th, short.en) == (
        "citizen_id_format",
        "เลขประจำตัวประชาชน '12345' ต้องเป็นตัวเลข 13 หลัก",
        "Citizen ID '12345' must be 13 digits",
    )
    bad = citizen_id_problem("1101700230453")
    assert bad is not None
    assert (bad.code, bad.th, bad.en) == (
        "citizen_id_checksum",
        "เลขประจำตัวประชาชน '1101700230453' มีหลักตรวจสอบไม่ถูกต้อง",
        "Citizen ID '1101700230453' has a wrong check digit",
    )
    with pytest.raises(InvalidInput) as exc:
        validate_citizen_id("1101700230453")
    assert [p.code for p in exc.value.problems] == ["citizen_id_checksum"]


def test_g_code() -> None:
    assert g_code_problem("G256912000123") is None
    assert validate_g_code(" g256912000123 ") == "G256912000123"
    fmt = g_code_problem("G25691200012")
    assert fmt is not None
    assert (fmt.code, fmt.th, fmt.en) == (
        "g_code_format",
        "รหัส G 'G25691200012' ต้องขึ้นต้นด้วย G ตามด้วยตัวเลข 12 หลัก",
        "G-code 'G25691200012' must be the letter G followed by 12 digits",
    )
    year = g_code_problem("G196912000123")
    assert year is not None
    assert (year.code, year.th, year.en) == (
        "g_code_year",
        "รหัส G 'G196912000123' มีปี พ.ศ. 1969 ที่เป็นไปไม่ได้",
        "G-code 'G196912000123' has an impossible Buddhist-Era year 1969",
    )


def test_school_code() -> None:
    assert school_code_problem("1012000001") is None
    assert school_code_problem("1012000001", {"12"}) is None
    assert validate_school_code(" 1012000001 ") == "1012000001"
    fmt = school_code_problem("101200001")
    assert fmt is not None
    assert (fmt.code, fmt.th, fmt.en) == (
        "school_code_format",
        "รหัสโรงเรียน '101200001' ต้องเป็นตัวเลข 10 หลัก",
        "School code '101200001' must be 10 digits",
    )
    prov = school_code_problem("1099000001", {"10", "12"})
    assert prov is not None
    assert (prov.code, prov.th, prov.en) == (
        "school_code_province",
        "รหัสโรงเรียน '1099000001' มีรหัสจังหวัด 99 ที่ไม่มีอยู่จริง",
        "School code '1099000001' has an unknown province code 99",
    )
