"""The template writer and the number trace (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from suksa.analytics.briefs import (
    Fact,
    body_texts,
    format_number,
    number_entry,
    parse_number,
    to_arabic,
    trace_numbers,
    write_brief,
)

SRC = {"model": "core.IndicatorValue", "id": 17}


def _numbers() -> dict[str, dict[str, Any]]:
    return {
        "dropout:first": number_entry(1.84, decimals=1, unit_id=1, unit_code="OBEC", indicator="dropout",
                                      period="2564", source=SRC, what="value"),
        "dropout:last": number_entry(0.91, decimals=1, unit_id=1, unit_code="OBEC", indicator="dropout",
                                     period="2568", source={"model": "core.IndicatorValue", "id": 18}),
        "dropout:slope": number_entry(-0.2234, decimals=2, unit_id=1, indicator="dropout",
                                      source={"model": "insights.Trend", "id": 5, "field": "slope"}),
        "learners": number_entry(12345, decimals=0, unit_id=1, indicator="learners"),
        "rank": number_entry(3, decimals=0, source={"model": "insights.Strength", "id": 9, "field": "rank"}),
        "peers": number_entry(24, decimals=0, source={"model": "insights.Strength", "id": 9}),
    }  # fmt: skip


def _facts() -> list[Fact]:
    return [
        Fact(
            key="trend:dropout:OBEC", kind="trend",
            names={"indicator_th": "อัตราการออกกลางคัน", "indicator_en": "The dropout rate",
                   "unit_th": "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน", "unit_en": "OBEC",
                   "direction": "down", "good": "yes", "first_period": "2564", "last_period": "2568"},
            refs={"first": "dropout:first", "last": "dropout:last", "slope": "dropout:slope"},
            tone="good", priority=4,
        ),
        Fact(
            key="strength:learning:15001", kind="strength",
            names={"unit_th": "สพป.เชียงใหม่ เขต 1", "unit_en": "Chiang Mai Primary ESA Area 1",
                   "domain_th": "ผลสัมฤทธิ์ทางการเรียน", "domain_en": "learning outcomes", "verdict": "weak"},
            refs={"rank": "rank", "peers": "peers"}, tone="bad", priority=1.5,
        ),
    ]  # fmt: skip


def _write() -> Any:
    return write_brief(topic="retention", title_th="การคงอยู่", title_en="Retention",
                       round_th="รอบ 12 เดือน ปีงบประมาณ 2569", round_en="12-month round FY 2569",
                       facts=_facts(), numbers=_numbers())  # fmt: skip


def test_writer_is_deterministic_and_every_number_is_traced() -> None:
    first, second = _write(), _write()
    assert first.body == second.body
    body = first.body
    assert [f["key"] for f in body["findings"]] == ["f1", "f2"]
    assert body["findings"][0]["text_th"] == (
        "อัตราการออกกลางคัน ของสำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน ลดลงจาก 1.8 ในปี 2564 เป็น 0.9 ในปี 2568 "
        "(ดีขึ้นต่อเนื่อง ประมาณ 0.22 ต่อปี)."
    )
    assert body["findings"][0]["text_en"] == (
        "The dropout rate in OBEC fell from 1.8 in 2564 to 0.9 in 2568 (improved steadily, about 0.22 a year)."
    )
    assert body["findings"][0]["evidence"] == ["dropout:first", "dropout:last", "dropout:slope"]
    assert body["findings"][1]["text_en"].endswith("(rank 3 of 24).")
    # A good trend and a weak strength both call for a recommendation citing the same evidence.
    assert [r["finding"] for r in body["recommendations"]] == ["f1", "f2"]
    assert body["recommendations"][1]["evidence"] == ["peers", "rank"]
    assert body["summary"]["th"].startswith(
        "การคงอยู่ (รอบ 12 เดือน ปีงบประมาณ 2569): ข้อค้นพบหลักคือ อัตราการออกกลางคัน"
    )
    result = trace_numbers(body_texts(body), _numbers(), labels=body["labels"])
    assert result.ok, result.failures
    # 3 numbers in finding 1 (twice: th, en) + 2 in finding 2 (twice) + the summary repeats finding 1.
    assert result.checked == 3 * 2 + 2 * 2 + 3 * 2
    assert ("12", "label") in result.exempt  # "12 เดือน" in the round's name
    assert ("1", "label") in result.exempt  # "เขต 1" in a unit's name


def test_writer_without_findings_says_so() -> None:
    draft = write_brief(topic="warnings", title_th="สัญญาณเตือน", title_en="Warnings", round_th="รอบ",
                        round_en="Round", facts=[], numbers={})  # fmt: skip
    assert draft.body["findings"] == []
    assert draft.body["recommendations"] == []
    assert "ยังไม่มีข้อค้นพบ" in draft.body["summary"]["th"]
    assert trace_numbers(draft.texts(), {}).ok


def test_writer_refuses_a_fact_without_its_numbers() -> None:
    fact = _facts()[1]
    with pytest.raises(KeyError, match="no number"):
        write_brief(
            topic="t", title_th="t", title_en="t", round_th="r", round_en="r", facts=[fact], numbers={}
        )


def test_trace_catches_an_invented_number() -> None:
    text = "อัตราการออกกลางคันลดลงจาก 1.8 เป็น 0.9 และครู 57 คนได้รับการอบรม"
    result = trace_numbers([text], _numbers())
    assert not result.ok
    assert result.checked == 3
    assert [(f.number, f.index) for f in result.failures] == [("57", 0)]
    assert result.failures[0].why.endswith("not in the brief's table of numbers")
    assert result.failures[0].text == text


def test_trace_catches_a_changed_digit_and_names_the_entry() -> None:
    result = trace_numbers(["Dropout fell to 0.7 in 2568."], _numbers())
    assert not result.ok
    failure = result.failures[0]
    assert failure.number == "0.7"
    assert failure.near == "dropout:last"
    assert "(0.9)" in failure.why


def test_trace_reads_thai_digits() -> None:
    ok = trace_numbers(["ลดลงเหลือ ๐.๙ ในปี ๒๕๖๘"], _numbers())
    assert ok.ok
    assert ok.checked == 1
    assert ("๒๕๖๘", "year") in ok.exempt
    bad = trace_numbers(["ลดลงเหลือ ๐.๗"], _numbers())
    assert not bad.ok
    assert bad.failures[0].number == "๐.๗"


def test_trace_matches_after_rounding_as_displayed() -> None:
    numbers = _numbers()
    # 1.84 written with 1 or 0 decimals, or as its display; 12,345 with its separator.
    assert trace_numbers(["1.8", "2", "1.84", "12,345", "-0.22"], numbers).ok
    assert not trace_numbers(["1.9"], numbers).ok
    # A per cent written from a share stored as a fraction.
    share = {"s": number_entry(0.853, decimals=3)}
    assert trace_numbers(["85.3%"], share).ok
    assert not trace_numbers(["86.3%"], share).ok


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ปีงบประมาณ 2568", "year"),
        ("in 2025", "year"),
        ("ณ วันที่ 10 มิ.ย. 2568", "date"),
        ("ณ วันที่ 10 มิถุนายน", "date"),
        ("on 10 June", "date"),
        ("30/9/2568", "date"),
        ("นักเรียนชั้น ป.6", "grade"),
        ("O-NET ม.3", "grade"),
        ("Grade 9", "grade"),
        ("รอบ 2569/m12", "identifier"),
        ("สพม.เชียงใหม่ เขต 34", "label"),
        ("Inspection Region 2", "label"),
    ],
)
def test_trace_exempts_years_dates_grades_identifiers_and_names(text: str, reason: str) -> None:
    result = trace_numbers([text], {})
    assert result.ok, result.failures
    assert result.checked == 0
    assert reason in {r for _, r in result.exempt}


def test_a_count_of_a_thousand_or_more_is_not_taken_for_a_year() -> None:
    # Counts are written with separators, so "2,568" is a number to trace.
    result = trace_numbers(["2,568 คน"], {})
    assert not result.ok
    assert result.failures[0].number == "2,568"


def test_number_helpers() -> None:
    assert to_arabic("๑๒.๕") == "12.5"
    assert parse_number("๑,๒๓๔.๕%") is not None
    assert str(parse_number("๑,๒๓๔.๕%")) == "1234.5"
    assert format_number(1234.55, 1) == "1,234.6"
    assert format_number(2.5, 0) == "3"
    assert number_entry(-0.25, decimals=2, percent=True)["display"] == "0.25%"
