"""Org-unit import: validation with exact places, all-or-nothing, idempotence, moves and scope."""

from __future__ import annotations

import io

import pytest

from suksa.core.models import AuditEntry, EsaProfile, OrgUnit, Province, School
from suksa.core.orgimport import error_report_csv, orgunits_import, parse_grade, template_csv
from suksa.core.policy import SYSTEM, Actor
from suksa.core.tabular import ImportReport
from suksa.core.tests.orgimport_helpers import (
    FIELDS,
    csv_bytes,
    esa,
    org_state,
    region,
    school,
    world_school,
    xlsx_bytes,
)
from suksa.domains.accounts.actors import actor_for

PARENT = "รหัสหน่วยงานต้นสังกัด"


def run(rows: list[dict[str, str]], actor: Actor = SYSTEM, **kw: object) -> ImportReport:
    return orgunits_import(actor=actor, file=io.BytesIO(csv_bytes(rows)), filename="units.csv", **kw)  # type: ignore[arg-type]


def where(report: ImportReport) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in report.problems]


def counts(report: ImportReport) -> tuple[int, int, int, int, bool]:
    return (report.rows_read, report.created, report.updated, report.unchanged, report.committed)


def paths(*codes: str) -> list[str]:
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code").values_list("path", flat=True))


# --------------------------------------------------------------------------- creating


def test_creates_a_region_an_esa_and_schools_given_children_first(world) -> None:
    rows = [
        school("1012000003", parent_code="11202"),
        school("1012000004", parent_code="11202", name_th="โรงเรียนบ้านใหม่", student_count="60"),
        esa("11202", parent_code="R03", province="นนทบุรี, ปทุมธานี"),
        region("R03", province="นนทบุรี,Pathum Thani"),
    ]
    before_audit = AuditEntry.objects.count()
    report = run(rows)
    assert where(report) == []
    assert counts(report) == (4, 4, 0, 0, True)
    assert paths("R03", "11202", "1012000003", "1012000004") == [
        "/OBEC/R03/11202/1012000003/",
        "/OBEC/R03/11202/1012000004/",
        "/OBEC/R03/11202/",
        "/OBEC/R03/",
    ]
    profile = EsaProfile.objects.get(unit__code="11202")
    assert (profile.esa_type, profile.area_number, profile.office_province_id) == ("primary", 2, "12")
    assert sorted(profile.provinces.values_list("code", flat=True)) == ["12", "13"]
    assert sorted(Province.objects.filter(inspection_region__code="R03").values_list("code", flat=True)) == [
        "12",
        "13",
    ]
    s = School.objects.get(unit__code="1012000003")
    assert (s.esa_type, s.province_id, s.district_id, s.subdistrict_id, s.area_type) == (
        "primary",
        "12",
        "1202",
        "120201",
        "rural",
    )
    assert (s.lowest_grade, s.highest_grade, s.student_count, s.teacher_count, s.classroom_count) == (
        "K1",
        "P6",
        130,
        9,
        8,
    )
    assert dict(School.objects.filter(unit__parent__code="11202").values_list("unit__code", "size_band")) == {
        "1012000003": "medium",
        "1012000004": "small",
    }
    unit = OrgUnit.objects.get(code="1012000003")
    assert unit.search_text == "1012000003 | โรงเรียนวัดชลอ | wat chalo school"
    entries = list(
        AuditEntry.objects.filter(pk__gt=0).order_by("id").values_list("action", "object_id", "unit_path")
    )[before_audit:]
    assert entries == [
        ("create", "R03", "/OBEC/R03/"),
        ("create", "11202", "/OBEC/R03/11202/"),
        ("create", "1012000003", "/OBEC/R03/11202/1012000003/"),
        ("create", "1012000004", "/OBEC/R03/11202/1012000004/"),
        ("import", "units.csv", "/OBEC/R03/"),
    ]
    created = AuditEntry.objects.get(action="create", object_id="11202")
    assert created.changes == {
        "area_number": [None, 2],
        "esa_type": [None, "primary"],
        "kind": [None, "esa"],
        "name_en": [None, "Nonthaburi Primary ESA 2"],
        "name_th": [None, "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 2"],
        "office_province": [None, "12"],
        "parent": [None, "R03"],
        "provinces": [None, ["12", "13"]],
    }
    assert (created.actor_username, created.source) == ("system", "cli")
    summary = AuditEntry.objects.get(action="import")
    assert summary.changes == {"rows_read": 4, "created": 4, "updated": 0, "unchanged": 0, "rejected_rows": 0}


def test_reimporting_the_same_file_changes_nothing(world) -> None:
    rows = [region("R01", province="นนทบุรี"), esa("11202"), school("1012000003", parent_code="11202")]
    rows += [world_school("1012000001"), world_school("1012000002")]
    first = run(rows)
    assert counts(first) == (5, 2, 1, 2, True)
    state = org_state()
    second = run(rows)
    assert counts(second) == (5, 0, 0, 5, True)
    assert where(second) == []
    assert org_state() == state


@pytest.mark.parametrize(
    ("province", "district", "subdistrict"),
    [
        ("นนทบุรี", "บางกรวย", "วัดชลอ"),
        ("จังหวัดนนทบุรี", "อำเภอบางกรวย", "ตำบลวัดชลอ"),
        ("จ.นนทบุรี", "อ.บางกรวย", "ต.วัดชลอ"),
        ("12", "1202", "120201"),
        ("Nonthaburi", "Bang Kruai", "wat chalo"),
        (" นนทบุรี ", "อำเภอ บางกรวย", "ตำบล วัดชลอ"),
    ],
)
def test_geography_by_code_name_or_prefixed_name(
    world, province: str, district: str, subdistrict: str
) -> None:
    report = run([school(province=province, district=district, subdistrict=subdistrict)])
    assert where(report) == []
    s = School.objects.get(unit__code="1012000003")
    assert (s.province_id, s.district_id, s.subdistrict_id) == ("12", "1202", "120201")


def test_bangkok_khet_and_khwaeng(world) -> None:
    report = run(
        [school("1010000003", province="กรุงเทพมหานคร", district="พระนคร", subdistrict="แขวงพระบรมมหาราชวัง")]
    )
    assert where(report) == []
    s = School.objects.get(unit__code="1010000003")
    assert (s.district_id, s.subdistrict_id) == ("1001", "100101")


@pytest.mark.parametrize(
    ("raw", "grade"), [("K1", "K1"), ("อ.3", "K3"), ("ป.1", "P1"), ("p6", "P6"), ("ม 6", "M6")]
)
def test_grade_spellings(raw: str, grade: str) -> None:
    assert parse_grade(raw) == grade


@pytest.mark.parametrize("raw", ["ป.7", "K4", "M0", "grade 1", ""])
def test_bad_grades(raw: str) -> None:
    assert parse_grade(raw) is None


def test_english_headers_and_english_values(world) -> None:
    data = (
        "kind,code,name_th,name_en,parent_code,province,district,subdistrict,area_type,lowest_grade,"
        "highest_grade\nschool,1012000003,โรงเรียนวัดชลอ,,11201,12,1202,120201,urban,P1,M3\n"
    ).encode()
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(data), filename="u.csv")
    assert where(report) == []
    s = School.objects.get(unit__code="1012000003")
    assert (s.area_type, s.lowest_grade, s.highest_grade, s.level_type, s.student_count) == (
        "urban",
        "P1",
        "M3",
        "expanded",
        0,
    )


# --------------------------------------------------------------------------- updating and moving


def test_update_records_exact_changes_and_recomputes_the_band(world) -> None:
    report = run([world_school("1012000001", name_en="Ban Bang Krang School", student_count="130")])
    assert counts(report) == (1, 0, 1, 0, True)
    s = School.objects.select_related("unit").get(unit__code="1012000001")
    assert (s.unit.name_en, s.student_count, s.size_band) == ("Ban Bang Krang School", 130, "medium")
    assert "ban bang krang school" in s.unit.search_text
    entry = AuditEntry.objects.get(action="update", object_id="1012000001")
    assert entry.changes == {
        "name_en": ["School 1012000001", "Ban Bang Krang School"],
        "student_count": [85, 130],
    }
    assert entry.unit_path == "/OBEC/R01/11201/1012000001/"


def test_columns_left_out_keep_their_values(world) -> None:
    fields = [f for f in FIELDS if f not in ("name_en", "student_count", "teacher_count", "classroom_count")]
    data = csv_bytes([world_school("1012000001", name_th="โรงเรียนบ้านบางกร่างใหม่")], fields=fields)
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(data), filename="u.csv")
    assert counts(report) == (1, 0, 1, 0, True)
    s = School.objects.select_related("unit").get(unit__code="1012000001")
    assert (s.unit.name_th, s.unit.name_en, s.student_count, s.teacher_count) == (
        "โรงเรียนบ้านบางกร่างใหม่",
        "School 1012000001",
        85,
        8,
    )
    assert AuditEntry.objects.get(action="update").changes == {
        "name_th": ["โรงเรียนบ้านบางกร่าง", "โรงเรียนบ้านบางกร่างใหม่"]
    }


def test_moving_an_esa_rewrites_the_paths_of_its_subtree(world) -> None:
    row = esa("11201", name_th=world.esa_a1.name_th, name_en="ESA 11201", parent_code="R02", area_number="1")
    report = run([row])
    assert counts(report) == (1, 0, 1, 0, True)
    assert paths("11201", "1012000001", "1012000002") == [
        "/OBEC/R02/11201/1012000001/",
        "/OBEC/R02/11201/1012000002/",
        "/OBEC/R02/11201/",
    ]
    assert AuditEntry.objects.get(action="update").changes == {"parent": ["R01", "R02"]}
    assert paths("21201", "1012000101") == ["/OBEC/R01/21201/1012000101/", "/OBEC/R01/21201/"]


def test_moving_a_school_to_a_secondary_esa_changes_its_type_and_band(world) -> None:
    report = run([world_school("1012000002", parent_code="21201")])
    assert counts(report) == (1, 0, 1, 0, True)
    s = School.objects.select_related("unit").get(unit__code="1012000002")
    assert (s.unit.path, s.esa_type, s.size_band) == ("/OBEC/R01/21201/1012000002/", "secondary", "small")
    assert AuditEntry.objects.get(action="update").changes == {
        "esa_type": ["primary", "secondary"],
        "parent": ["11201", "21201"],
    }


def test_region_provinces_are_the_listed_set(world) -> None:
    run([region("R01", province="นนทบุรี, ปทุมธานี")])
    assert sorted(
        Province.objects.filter(inspection_region=world.region_1).values_list("code", flat=True)
    ) == [
        "12",
        "13",
    ]
    report = run([region("R01", province="ปทุมธานี")])
    assert counts(report) == (1, 0, 1, 0, True)
    assert list(Province.objects.filter(inspection_region=world.region_1).values_list("code", flat=True)) == [
        "13"
    ]
    assert list(
        AuditEntry.objects.filter(action="update").order_by("id").values_list("changes", flat=True)
    ) == [
        {"provinces": [[], ["12", "13"]]},
        {"provinces": [["12", "13"], ["13"]]},
    ]
    assert counts(run([region("R01", province="")])) == (1, 0, 0, 1, True)  # empty: keep


def test_esa_type_change_follows_to_its_schools(world) -> None:
    row = esa(
        "21201", name_th=world.esa_a2.name_th, name_en="ESA 21201", esa_type="ประถมศึกษา", area_number="0"
    )
    assert counts(run([row])) == (1, 0, 1, 0, True)
    s = School.objects.get(unit__code="1012000101")
    assert (s.esa_type, s.size_band) == ("primary", "extra_large")  # 1,800 pupils


def test_a_unit_without_its_profile_gets_one(world) -> None:
    OrgUnit.objects.create(kind="school", code="1012000003", name_th="โรงเรียนวัดชลอ", parent=world.esa_a1)
    report = run([school()])
    assert counts(report) == (1, 0, 1, 0, True)
    s = School.objects.get(unit__code="1012000003")
    assert (s.subdistrict_id, s.student_count, s.size_band) == ("120201", 130, "medium")


# --------------------------------------------------------------------------- validation


CASES = {
    "kind unknown": ([school(kind="ประเทศ")], [(2, "ประเภท", "kind_unknown")]),
    "kind missing": ([school(kind="")], [(2, "ประเภท", "value_missing")]),
    "school code format": ([school("10120003")], [(2, "รหัส", "school_code_format")]),
    "school code province": ([school("1099000003")], [(2, "รหัส", "school_code_province")]),
    "school code vs province": ([school("1013000003")], [(2, "รหัส", "school_code_province_mismatch")]),
    "esa code like a school": ([esa("1012000009")], [(2, "รหัส", "code_looks_like_school")]),
    "code format": ([{**region("R03"), "code": "R/03"}], [(2, "รหัส", "code_format")]),
    "unknown parent": ([school(parent_code="99999")], [(2, PARENT, "parent_unknown")]),
    "school under region": ([school(parent_code="R01")], [(2, PARENT, "parent_kind")]),
    "esa under esa": ([esa(parent_code="11201")], [(2, PARENT, "parent_kind")]),
    "region under region": ([region(parent_code="R01")], [(2, PARENT, "parent_kind")]),
    "region under school in file": (
        [region(parent_code="1012000003"), school()],
        [(2, PARENT, "parent_kind")],
    ),
    "duplicate code": (
        [school(), esa(), school(name_th="โรงเรียนอื่น")],
        [(2, "รหัส", "code_duplicate"), (4, "รหัส", "code_duplicate")],
    ),
    "province unknown": ([school(province="แอตแลนติส")], [(2, "จังหวัด", "province_unknown")]),
    "district not in province": (
        [school(district="เมืองเชียงใหม่")],
        [(2, "อำเภอ", "district_not_in_province")],
    ),
    "district code elsewhere": ([school(district="5001")], [(2, "อำเภอ", "district_not_in_province")]),
    "district code unknown": ([school(district="9999")], [(2, "อำเภอ", "district_unknown")]),
    "subdistrict not in district": (
        [school(subdistrict="สวนใหญ่")],
        [(2, "ตำบล", "subdistrict_not_in_district")],
    ),
    "subdistrict code unknown": ([school(subdistrict="999999")], [(2, "ตำบล", "subdistrict_unknown")]),
    "grade span reversed": (
        [school(lowest_grade="ป.6", highest_grade="อ.1")],
        [(2, "ชั้นสูงสุด", "grade_span_reversed")],
    ),
    "grade unknown": ([school(lowest_grade="ป.7")], [(2, "ชั้นต่ำสุด", "grade_unknown")]),
    "bad numbers": (
        [school(student_count="-5", teacher_count="abc", classroom_count="1.5")],
        [
            (2, "จำนวนนักเรียน", "number_invalid"),
            (2, "จำนวนครู", "number_invalid"),
            (2, "จำนวนห้องเรียน", "number_invalid"),
        ],
    ),
    "area number": ([esa(area_number="สอง")], [(2, "เขตที่", "number_invalid")]),
    "missing values": (
        [school(name_th="", district=""), esa(province="", esa_type="")],
        [
            (2, "ชื่อ", "value_missing"),
            (2, "อำเภอ", "value_missing"),
            (3, "ประเภทเขตพื้นที่", "value_missing"),
            (3, "จังหวัด", "value_missing"),
        ],
    ),
    "code exists as another kind": ([esa("R02")], [(2, "ประเภท", "kind_mismatch")]),
    "the nation is not imported": ([{**region("R01"), "code": "OBEC"}], [(2, "ประเภท", "kind_mismatch")]),
    "esa type unknown": ([esa(esa_type="อนุบาล")], [(2, "ประเภทเขตพื้นที่", "esa_type_unknown")]),
    "area type unknown": ([school(area_type="ภูเขา")], [(2, "ที่ตั้ง", "area_type_unknown")]),
    "province in two regions": (
        [region("R03", province="นนทบุรี"), region("R04", province="12")],
        [(3, "จังหวัด", "province_region_conflict")],
    ),
    "child of a bad row": (
        [esa(esa_type="x"), school(parent_code="11202")],
        [(2, "ประเภทเขตพื้นที่", "esa_type_unknown"), (3, PARENT, "parent_rejected")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_problem_is_reported_exactly_and_nothing_is_written(world, case: str) -> None:
    rows, expected = CASES[case]
    state = org_state()
    report = run(rows)
    assert where(report) == expected
    assert report.committed is False
    assert counts(report)[1:4] == (0, 0, 0)
    assert org_state() == state


def test_messages_are_bilingual_with_their_place(world) -> None:
    report = run([school(district="เมืองเชียงใหม่"), school("1012000004", parent_code="99999")])
    assert [(p.message("th"), p.message("en")) for p in report.problems] == [
        (
            "แถว 2 คอลัมน์ อำเภอ: ไม่พบอำเภอ 'เมืองเชียงใหม่' ในจังหวัดนนทบุรี",
            "row 2, column อำเภอ: District 'เมืองเชียงใหม่' is not in Nonthaburi province",
        ),
        (
            "แถว 3 คอลัมน์ รหัสหน่วยงานต้นสังกัด: ไม่พบหน่วยงานต้นสังกัด '99999' หรือคุณไม่มีสิทธิ์จัดการหน่วยงานนี้",
            "row 3, column รหัสหน่วยงานต้นสังกัด: Unknown parent unit '99999', or you may not manage it",
        ),
    ]


def test_missing_required_column_is_reported_on_the_header_row(world) -> None:
    data = csv_bytes([school()], fields=[f for f in FIELDS if f != "parent_code"])
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(data), filename="u.csv")
    assert where(report) == [(1, PARENT, "column_missing")]
    assert report.committed is False


def test_header_only_file_reports_no_rows(world) -> None:
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(csv_bytes([])), filename="u.csv")
    assert [(p.code, p.th, p.en) for p in report.problems] == [
        ("file_no_rows", "ไม่มีแถวข้อมูลในไฟล์", "The file has no data rows")
    ]
    assert report.committed is False


# --------------------------------------------------------------------------- all-or-nothing and keep_valid


def test_all_or_nothing_by_default(world) -> None:
    state = org_state()
    report = run([school(), school("1012000004", district="เมืองเชียงใหม่")])
    assert counts(report) == (2, 0, 0, 0, False)
    assert report.rejected_rows == 1
    assert org_state() == state


def test_keep_valid_writes_valid_rows_and_rows_under_valid_new_parents(world) -> None:
    rows = [
        esa("11202"),
        school("1012000003", parent_code="11202"),
        esa("11203", esa_type="x"),
        school("1012000004", parent_code="11203"),
        school("1012000005"),
    ]
    report = run(rows, keep_valid=True)
    assert where(report) == [(4, "ประเภทเขตพื้นที่", "esa_type_unknown"), (5, PARENT, "parent_rejected")]
    assert counts(report) == (5, 3, 0, 0, True)
    assert (report.kept_valid_rows, report.rejected_rows) == (True, 2)
    assert paths("11202", "11203", "1012000003", "1012000004", "1012000005") == [
        "/OBEC/R01/11202/1012000003/",
        "/OBEC/R01/11201/1012000005/",
        "/OBEC/R01/11202/",
    ]
    assert AuditEntry.objects.get(action="import").changes["rejected_rows"] == 2


# --------------------------------------------------------------------------- scope


def test_esa_sysadmin_imports_into_own_esa(world) -> None:
    actor = actor_for(world.user("sysadmin_a1"))
    report = run([school("1012000003"), world_school("1012000001", student_count="90")], actor=actor)
    assert where(report) == []
    assert counts(report) == (2, 1, 1, 0, True)
    entry = AuditEntry.objects.get(action="create")
    assert (entry.actor_username, entry.actor_id) == ("sysadmin_a1", world.user("sysadmin_a1").pk)


def test_esa_sysadmin_may_rename_own_esa_but_not_move_it(world) -> None:
    actor = actor_for(world.user("sysadmin_a1"))
    row = esa("11201", name_en="Nonthaburi Primary ESA 1", area_number="1", name_th=world.esa_a1.name_th)
    assert counts(run([row], actor=actor)) == (1, 0, 1, 0, True)
    state = org_state()
    report = run([{**row, "parent_code": "R02"}], actor=actor)
    assert where(report) == [(2, PARENT, "parent_unknown")]
    assert org_state() == state


def test_rows_outside_scope_read_like_unknown_parents_and_change_nothing(world) -> None:
    actor = actor_for(world.user("sysadmin_a1"))
    other_esa = school(
        "1050000009", parent_code="15001", province="เชียงใหม่", district="เมืองเชียงใหม่", subdistrict="ศรีภูมิ"
    )
    other_school = school(
        "1050000001", parent_code="11201", province="เชียงใหม่", district="เมืองเชียงใหม่", subdistrict="ศรีภูมิ"
    )
    rows = [school("1012000003"), other_esa, other_school, esa("11209"), region("R01")]
    state = org_state()
    report = run(rows, actor=actor)
    assert where(report) == [
        (3, PARENT, "parent_unknown"),
        (4, PARENT, "parent_unknown"),
        (5, PARENT, "parent_rejected"),  # its parent R01 is the rejected row 6
        (6, PARENT, "parent_unknown"),
    ]
    assert org_state() == state
    unknown = run([{**other_esa, "parent_code": "15009"}]).problems[0]
    hidden = report.problems[0]
    assert hidden.code == unknown.code
    assert hidden.th.replace("15001", "?") == unknown.th.replace("15009", "?")
    assert hidden.en.replace("15001", "?") == unknown.en.replace("15009", "?")


def test_keep_valid_still_rejects_rows_outside_scope(world) -> None:
    actor = actor_for(world.user("sysadmin_a1"))
    row_b1 = school(
        "1050000009", parent_code="15001", province="เชียงใหม่", district="เมืองเชียงใหม่", subdistrict="ศรีภูมิ"
    )
    report = run([school("1012000003"), row_b1], actor=actor, keep_valid=True)
    assert where(report) == [(3, PARENT, "parent_unknown")]
    assert counts(report) == (2, 1, 0, 0, True)
    assert list(OrgUnit.objects.filter(parent=world.esa_b1).values_list("code", flat=True)) == ["1050000001"]


# --------------------------------------------------------------------------- file formats and reports


@pytest.mark.parametrize("fmt", ["cp874", "utf-8-sig", "xlsx"])
def test_cp874_bom_and_xlsx_files_import_the_same(world, fmt: str) -> None:
    rows = [esa("11202"), school("1012000003", parent_code="11202"), world_school("1012000001")]
    data = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows, encoding=fmt)
    name = "units.xlsx" if fmt == "xlsx" else "units.csv"
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(data), filename=name)
    assert where(report) == []
    assert counts(report) == (3, 2, 0, 1, True)
    s = School.objects.select_related("unit").get(unit__code="1012000003")
    assert (s.unit.name_th, s.unit.path, s.subdistrict_id, s.student_count) == (
        "โรงเรียนวัดชลอ",
        "/OBEC/R01/11202/1012000003/",
        "120201",
        130,
    )


def test_error_report_csv_has_a_bom_and_every_problem(world) -> None:
    report = run([school(district="เมืองเชียงใหม่")])
    data = error_report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "แถว / row,คอลัมน์ / column,รหัสปัญหา / problem code,ข้อความ (ไทย) / message (Thai),ข้อความ (อังกฤษ) / message (English)",
        "2,อำเภอ,district_not_in_province,ไม่พบอำเภอ 'เมืองเชียงใหม่' ในจังหวัดนนทบุรี,"
        "District 'เมืองเชียงใหม่' is not in Nonthaburi province",
    ]


def test_the_template_imports_into_the_world(world) -> None:
    data = template_csv()
    assert data.decode("utf-8-sig").splitlines()[0].startswith("ประเภท,รหัส,ชื่อ,ชื่อภาษาอังกฤษ,รหัสหน่วยงานต้นสังกัด")
    report = orgunits_import(actor=SYSTEM, file=io.BytesIO(data), filename="template.csv")
    assert where(report) == []
    assert report.committed


def test_a_concurrent_writer_makes_the_import_roll_back_with_a_bilingual_problem(world) -> None:
    """Between the import's read and its write, someone else creates one of the file's codes."""
    from tests.factories import make_esa

    rows = [region("R03"), esa("11202", parent_code="R01")]
    units_before = OrgUnit.objects.count()
    audits_before = AuditEntry.objects.count()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and done == 1:  # after the region batch, before the ESA batch
            make_esa("11202", "สพท. ที่อีกผู้ใช้หนึ่งสร้าง", world.region_1, "primary", "12", 2)

    report = orgunits_import(
        actor=SYSTEM, file=io.BytesIO(csv_bytes(rows)), filename="race.csv", progress=progress
    )

    assert report.committed is False
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert [p.code for p in report.problems] == ["concurrent_change"]
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in report.problems[0].th
    assert "nothing was written" in report.problems[0].en
    assert OrgUnit.objects.count() == units_before
    assert AuditEntry.objects.count() == audits_before
