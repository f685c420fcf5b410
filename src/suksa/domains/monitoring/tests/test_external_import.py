"""Importing external indicator values: checked row by row, stored with a run, re-import is a no-op."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry, IndicatorRun, IndicatorValue
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import ReportValue
from suksa.domains.monitoring.services.catalogue import indicator_create
from suksa.domains.monitoring.services.external import datasets, external_values_import
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db

ONET = (
    "รหัสหน่วยงาน,รหัสตัวชี้วัด,ช่วงเวลา,ค่า,ตัวตั้ง,ตัวหาร\n"
    "11201,onet_mean_p6,2568,41.25,,\n"
    "15001,onet_mean_p6,2568,38.5,,\n"
    "11201,onet_mean_m3,2568,33.1,,\n"
    "R01,onet_mean_p6,2568,40.02,,\n"
    "OBEC,onet_mean_p6,2567,39.9,1200,\n"
)


def officer(world: World) -> Any:
    return actor_for(world.user("me_officer"))


def run_import(
    world: World, text: str, *, dataset: str = "niets_onet", keep_valid: bool = False, name: str = "onet.csv"
) -> Any:
    return external_values_import(
        actor=officer(world),
        dataset=dataset,
        file=io.BytesIO(text.encode()),
        filename=name,
        keep_valid=keep_valid,
    )


def stored(code: str) -> dict[tuple[str, str], float | None]:
    return {
        (unit, period): value
        for unit, period, value in IndicatorValue.objects.filter(indicator=code).values_list(
            "unit__code", "period", "value"
        )
    }


def test_datasets_come_from_the_catalogue() -> None:
    ensure_catalogue()
    got = {d.code: [i.code for i in d.indicators] for d in datasets()}
    assert got == {
        "connectivity": ["internet_coverage_rate"],
        "dltv": ["dltv_usage_rate"],
        "eef_isee": ["out_of_school_rate"],
        "gfmis": ["budget_disbursement_rate"],
        "moe_safety": ["safety_incident_rate"],
        "niets_onet": ["onet_mean_m3", "onet_mean_m6", "onet_mean_p6"],
        "obec_nt": ["nt_mean_p3"],
        "obec_rt": ["reading_literacy_rate", "rt_mean_p1"],
    }


def test_an_onet_file_is_stored_with_one_run_and_the_file_named(world: World) -> None:
    ensure_catalogue()
    report = run_import(world, ONET)

    assert report.committed
    assert report.problems == []
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (5, 5, 0, 0)
    assert stored("onet_mean_p6") == {
        ("11201", "2568"): 41.25, ("15001", "2568"): 38.5, ("R01", "2568"): 40.02, ("OBEC", "2567"): 39.9,
    }  # fmt: skip
    run = IndicatorRun.objects.get(pk=report.run_id)
    assert (run.producer, run.formula_version, run.periods) == (
        "import:niets_onet",
        "import-niets_onet-1",
        ["2567", "2568"],
    )
    assert run.sources == {
        "file": "onet.csv", "sha256": hashlib.sha256(ONET.encode()).hexdigest(), "rows": 5, "dataset": "niets_onet",
    }  # fmt: skip
    nation = IndicatorValue.objects.get(indicator="onet_mean_p6", unit__code="OBEC")
    assert (nation.numerator, nation.denominator, nation.run_id) == (1200.0, None, run.pk)
    entry = AuditEntry.objects.get(object_type="core.indicatorvalue", action="import")
    assert entry.changes["created"] == 5
    assert entry.changes["run_id"] == run.pk


def test_reimporting_is_idempotent_and_a_changed_value_is_replaced(world: World) -> None:
    ensure_catalogue()
    first = run_import(world, ONET)
    again = run_import(world, ONET)
    assert (again.created, again.updated, again.unchanged, again.run_id) == (0, 0, 5, None)
    assert IndicatorRun.objects.count() == 1
    assert IndicatorValue.objects.count() == 5

    changed = run_import(world, ONET.replace("41.25", "41.5"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 4)
    assert IndicatorValue.objects.count() == 5
    value = IndicatorValue.objects.get(indicator="onet_mean_p6", unit__code="11201")
    assert (value.value, value.run_id) == (41.5, changed.run_id)
    assert IndicatorValue.objects.get(indicator="onet_mean_p6", unit__code="15001").run_id == first.run_id


def test_every_bad_row_is_reported_and_nothing_is_written(world: World) -> None:
    ensure_catalogue()
    bad = ONET + (
        "99999,onet_mean_p6,2568,40,,\n"  # 7: unknown unit
        "11201,nt_mean_p3,2568,40,,\n"  # 8: another dataset's indicator
        "11201,onet_mean_p9,2568,40,,\n"  # 9: unknown indicator
        "21201,onet_mean_m3,68,40,,\n"  # 10: bad period
        "21201,onet_mean_m6,2600,40,,\n"  # 11: period not over
        "15001,onet_mean_m3,2568,140,,\n"  # 12: out of range
        "15001,onet_mean_m6,2568,สี่สิบ,,\n"  # 13: not a number
        "11201,onet_mean_p6,2568,41.25,,\n"  # 14: duplicate of row 2
        "1012000001,onet_mean_p6,2568,40,,\n"  # 15: school level not kept
        "15001,onet_mean_m6,2568,40,-3,\n"  # 16: negative numerator
    )
    report = run_import(world, bad)
    assert not report.committed
    got = [(p.row, p.column, p.code) for p in report.problems]
    assert got == [
        (7, "รหัสหน่วยงาน", "unit_unknown"),
        (8, "รหัสตัวชี้วัด", "indicator_other_dataset"),
        (9, "รหัสตัวชี้วัด", "indicator_unknown"),
        (10, "ช่วงเวลา", "period_invalid"),
        (11, "ช่วงเวลา", "period_invalid"),
        (12, "ค่า", "out_of_range"),
        (13, "ค่า", "not_a_number"),
        (14, "รหัสหน่วยงาน", "duplicate_row"),
        (15, "รหัสหน่วยงาน", "unit_level"),
        (16, "ตัวตั้ง", "count_invalid"),
    ]
    assert all(p.file == "onet.csv" and p.th and p.en for p in report.problems)
    assert report.problems[4].en.startswith("Period 2600 has not ended yet")
    assert report.problems[5].th.startswith("ค่า 140 อยู่นอกช่วงของตัวชี้วัด (0–100")
    assert report.rejected_rows == 10
    assert not IndicatorValue.objects.exists()
    assert not IndicatorRun.objects.exists()
    assert not AuditEntry.objects.filter(object_type="core.indicatorvalue").exists()


def test_keep_valid_writes_the_good_rows_and_reports_the_rest(world: World) -> None:
    ensure_catalogue()
    report = run_import(world, ONET + "99999,onet_mean_p6,2568,40,,\n", keep_valid=True)
    assert (report.committed, report.kept_valid_rows, report.created, report.rejected_rows) == (
        True,
        True,
        5,
        1,
    )
    assert [p.row for p in report.problems] == [7]
    assert IndicatorValue.objects.count() == 5


def test_round_keyed_and_fiscal_year_periods_are_checked_by_kind(world: World) -> None:
    ensure_catalogue()
    gfmis = (
        "unit_code,indicator,period,value\n"
        "11201,budget_disbursement_rate,2569/m6,48.5\n"
        "11201,budget_disbursement_rate,2569,50\n"
        "11201,budget_disbursement_rate,2569/m5,50\n"
    )
    report = run_import(world, gfmis, dataset="gfmis", name="gfmis.csv")
    assert [(p.row, p.code) for p in report.problems] == [(3, "period_invalid"), (4, "period_invalid")]
    assert "2569/m6" in report.problems[0].en
    safety = "unit_code,indicator,period,value\n11201,safety_incident_rate,2568,3.2\n"
    ok = run_import(world, safety, dataset="moe_safety", name="safety.csv")
    assert ok.committed
    assert stored("safety_incident_rate") == {("11201", "2568"): 3.2}


def test_an_xlsx_file_with_english_headers_is_read(world: World) -> None:
    ensure_catalogue()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["unit code", "indicator", "period", "value"])
    ws.append(["11201", "reading_literacy_rate", 2568, 82.5])
    ws.append(["15001", "rt_mean_p1", 2568, 71])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = external_values_import(
        actor=officer(world), dataset="obec_rt", file=io.BytesIO(buffer.getvalue()), filename="rt.xlsx"
    )
    assert report.committed, report.problems
    assert stored("reading_literacy_rate") == {("11201", "2568"): 82.5}
    assert stored("rt_mean_p1") == {("15001", "2568"): 71.0}


def test_a_source_scale_stores_the_value_as_a_fraction_and_prefill_shows_it_back(world: World) -> None:
    ensure_catalogue()
    indicator_create(
        actor=officer(world),
        code="wifi_classroom_rate",
        fields={
            "name_th": "ร้อยละห้องเรียนที่มี Wi-Fi", "name_en": "Classrooms with Wi-Fi", "definition_th": "นิยาม",
            "definition_en": "Definition", "unit": "percent", "direction": "higher", "domain": "digital",
            "source_kind": "imported", "levels": ["esa", "region", "nation"], "standards": ["2"],
            "source": {"dataset": "connectivity", "period": "year", "scale": 100},
        },
    )  # fmt: skip
    text = "unit_code,indicator,period,value\n11201,wifi_classroom_rate,2568,87.5\n11201,wifi_classroom_rate,2567,101\n"
    report = run_import(world, text, dataset="connectivity", name="wifi.csv", keep_valid=True)
    assert [(p.row, p.code) for p in report.problems] == [(3, "out_of_range")]  # checked as shown: 0–100
    assert stored("wifi_classroom_rate") == {("11201", "2568"): 0.875}
    fw = make_framework(2569, indicator_codes=["wifi_classroom_rate"])
    round_prefill(actor=SYSTEM, round=round_of(fw, "m12"))
    shown = ReportValue.objects.get(report__esa=world.esa_a1, indicator__code="wifi_classroom_rate")
    assert (shown.value, shown.period, shown.source["producer"]) == (87.5, "2568", "import:connectivity")


def test_imported_values_prefill_the_report(world: World) -> None:
    ensure_catalogue()
    run_import(world, ONET)
    fw = make_framework(2569)
    round_prefill(actor=SYSTEM, round=round_of(fw, "m12"))
    value = ReportValue.objects.get(report__esa=world.esa_a1, indicator__code="onet_mean_p6")
    assert (value.value, value.period, value.source["formula_version"]) == (
        41.25,
        "2568",
        "import-niets_onet-1",
    )


@pytest.mark.parametrize("persona", ["executive", "reviewer", "esa_director_a1", "inspector_r1", "dpo"])
def test_only_the_bureau_or_the_national_operator_imports(world: World, persona: str) -> None:
    ensure_catalogue()
    with pytest.raises(PermissionDenied):
        external_values_import(
            actor=actor_for(world.user(persona)),
            dataset="niets_onet",
            file=io.BytesIO(ONET.encode()),
            filename="x.csv",
        )
    assert not IndicatorValue.objects.exists()
    sysadmin = external_values_import(
        actor=actor_for(world.user("sysadmin")),
        dataset="niets_onet",
        file=io.BytesIO(ONET.encode()),
        filename="x.csv",
    )
    assert sysadmin.committed


def test_an_unknown_dataset_or_a_broken_file_is_refused(world: World) -> None:
    ensure_catalogue()
    with pytest.raises(InvalidInput) as exc:
        run_import(world, ONET, dataset="pisa")
    assert exc.value.problems[0].field == "dataset"
    report = run_import(world, ONET, name="onet.pdf")
    assert [p.code for p in report.problems] == ["file_type"]
    report = run_import(world, "unit_code,period,value\n11201,2568,4\n")
    assert [(p.code, p.row) for p in report.problems] == [("column_missing", 1)]
    report = run_import(world, "unit_code,indicator,period,value\n")
    assert [p.code for p in report.problems] == ["file_no_rows"]
    assert not IndicatorValue.objects.exists()


def test_the_cli_imports_and_fails_loudly(world: World, tmp_path: Path) -> None:
    ensure_catalogue()
    good = tmp_path / "onet.csv"
    good.write_text(ONET, encoding="utf-8")
    out = io.StringIO()
    call_command("import_indicator_values", str(good), dataset="niets_onet", stdout=out)
    assert "created 5" in out.getvalue()
    assert IndicatorValue.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(ONET + "99999,onet_mean_p6,2568,40,,\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command(
            "import_indicator_values",
            str(bad),
            dataset="niets_onet",
            report=str(errors),
            stdout=io.StringIO(),
        )
    assert "99999" in errors.read_text(encoding="utf-8-sig")
    with pytest.raises(CommandError, match="niets_onet"):
        call_command("import_indicator_values", str(good), dataset="pisa", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_indicator_values", str(bad), dataset="niets_onet", keep_valid=True, stdout=out)
    assert "Only the valid rows were written" in out.getvalue()


def test_the_published_sample_imports_cleanly(world: World) -> None:
    ensure_catalogue()
    make_esa("14201", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเลย เขต 1", world.region_2, "primary", "42", 1)
    sample = Path(settings.BASE_DIR) / "docs" / "samples" / "external-values-onet.csv"
    with sample.open("rb") as fh:
        report = external_values_import(
            actor=officer(world), dataset="niets_onet", file=fh, filename=sample.name
        )
    assert report.problems == []
    assert (report.committed, report.created) == (True, 9)
    with sample.open("rb") as fh:
        again = external_values_import(
            actor=officer(world), dataset="niets_onet", file=fh, filename=sample.name
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
