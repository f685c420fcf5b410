"""The tiny demo nation in the database: structure, personas, determinism, replace and commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from suksa.core.identifiers import school_code_problem
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, EsaProfile, OrgUnit, Province, School
from suksa.core.policy import Role
from suksa.demo.data import DEMO_PASSWORD, HOME_ESA_CODE, OTHER_ESA_CODE, PERSONAS
from suksa.demo.generator import DemoAlreadyExists, generate
from suksa.domains.accounts.models import RoleAssignment, User

TINY_COUNTS = {
    "regions": 18,
    "esas": 9,
    "esas_primary": 7,
    "esas_secondary": 2,
    "provinces": 3,
    "schools": 59,
    "users": 13,
}


def snapshot() -> dict[str, Any]:
    """What must not change between two runs with the same seed."""
    return {
        "units": list(
            OrgUnit.objects.order_by("code").values_list("code", "kind", "name_th", "name_en", "path")
        ),
        "schools": list(
            School.objects.order_by("unit__code").values_list(
                "unit__code", "subdistrict_id", "area_type", "highest_grade", "student_count", "teacher_count"
            )
        ),
        "users": list(
            RoleAssignment.objects.order_by("user__username").values_list("user__username", "unit__code")
        ),
    }


@pytest.fixture
def tiny(db: None) -> dict[str, Any]:
    return generate(scale="tiny", seed=2569)


def test_tiny_counts(tiny: dict[str, Any]) -> None:
    assert {k: tiny[k] for k in TINY_COUNTS} == TINY_COUNTS
    assert OrgUnit.objects.filter(kind="nation").count() == 1
    assert OrgUnit.objects.filter(kind="region").count() == 18
    assert OrgUnit.objects.filter(kind="esa").count() == 9
    assert OrgUnit.objects.filter(kind="school").count() == 59
    assert School.objects.count() == 59
    assert tiny["students"] == sum(School.objects.values_list("student_count", flat=True))


def test_every_school_sits_under_an_esa_under_a_region_under_the_nation(tiny: dict[str, Any]) -> None:
    nation = OrgUnit.objects.get(kind="nation")
    assert (nation.code, nation.name_th, nation.name_en, nation.path) == (
        "OBEC",
        "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
        "Office of the Basic Education Commission",
        "/OBEC/",
    )
    for unit in OrgUnit.objects.exclude(kind="nation").select_related("parent"):
        assert unit.parent is not None
        assert unit.parent.kind == OrgUnit.PARENT_KIND[OrgUnit.Kind(unit.kind)]
        assert unit.path == f"{unit.parent.path}{unit.code}/"
        assert unit.search_text != ""


def test_schools_have_valid_codes_and_real_geography(tiny: dict[str, Any]) -> None:
    provinces = set(Province.objects.values_list("code", flat=True))
    for school in School.objects.select_related("unit__parent__esa", "district", "subdistrict"):
        esa = school.unit.parent.esa  # type: ignore[union-attr]
        assert school_code_problem(school.code, provinces) is None
        assert school.code.startswith(f"10{school.province_id}")
        assert school.district.province_id == school.province_id
        assert school.subdistrict.district_id == school.district_id
        assert esa.provinces.filter(code=school.province_id).exists()
        assert school.esa_type == esa.esa_type
        assert school.size_band in {"small", "medium", "large", "extra_large"}
        assert school.counts_as_of == dt.date(2026, 6, 10)
        assert school.teacher_count >= 2
        assert school.classroom_count >= 3
        assert school.unit.name_th.startswith("โรงเรียน")
        if school.esa_type == "secondary":
            assert (school.lowest_grade, school.highest_grade) in {("M1", "M6"), ("M1", "M3")}
        else:
            assert (school.lowest_grade, school.highest_grade) in {("K1", "P6"), ("K1", "M3")}


def test_esas_and_regions_match_the_geography(tiny: dict[str, Any]) -> None:
    assert Province.objects.filter(inspection_region=None).count() == 0
    assert Province.objects.get(code="12").inspection_region.code == "R01"  # type: ignore[union-attr]
    shared = EsaProfile.objects.get(unit__code="24201")
    assert shared.unit.name_th == "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเลย หนองบัวลำภู"
    assert sorted(shared.provinces.values_list("code", flat=True)) == ["39", "42"]
    assert shared.office_province_id == "42"
    for esa in EsaProfile.objects.select_related("unit__parent", "office_province"):
        assert esa.unit.parent == esa.office_province.inspection_region
        assert len(esa.unit.code) == 5


def test_every_persona_holds_its_role_on_its_unit(tiny: dict[str, Any]) -> None:
    home_schools = list(OrgUnit.objects.filter(parent__code=HOME_ESA_CODE).order_by("code")[:2])
    expected_units = {
        "nation": "OBEC",
        "home_region": "R01",
        "home_esa": HOME_ESA_CODE,
        "other_esa": OTHER_ESA_CODE,
        "home_school": home_schools[0].code,
        "other_school": home_schools[1].code,
    }
    held = {
        a.user.username: (a.role, a.unit.code) for a in RoleAssignment.objects.select_related("user", "unit")
    }

    assert held == {p.username: (str(p.role), expected_units[p.unit]) for p in PERSONAS}
    assert {p.role for p in PERSONAS} == set(Role)
    user = User.objects.get(username="esa_officer_2")
    assert (user.title_th, user.first_name_th, user.first_name) == ("นาย", "อนุชา", "Anucha")
    assert user.check_password(DEMO_PASSWORD)
    assert home_schools[0].name_th == "โรงเรียนอนุบาลนนทบุรี"


def test_calendars_and_a_single_audit_entry(tiny: dict[str, Any]) -> None:
    assert list(AcademicYear.objects.order_by("year_be").values_list("year_be", flat=True)) == [
        2565, 2566, 2567, 2568, 2569,
    ]  # fmt: skip
    assert CensusDate.objects.get(academic_year__year_be=2569, round="jun10").date == dt.date(2026, 6, 10)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.actor_username) == ("import", "demo.nation", "system")
    assert entry.changes == {"scale": "tiny", "seed": 2569, "counts": tiny}


def test_same_seed_gives_the_same_nation_and_another_seed_another(tiny: dict[str, Any]) -> None:
    first = snapshot()

    again = generate(scale="tiny", seed=2569, replace=True)
    assert snapshot() == first
    assert again == tiny

    other = generate(scale="tiny", seed=2570, replace=True)
    changed = snapshot()
    assert changed != first
    assert changed["units"] != first["units"]  # names differ
    assert [u[0] for u in changed["units"]] == [u[0] for u in first["units"]]  # codes are structural
    assert other["schools"] == tiny["schools"]


def test_without_replace_the_generator_refuses_and_changes_nothing(tiny: dict[str, Any]) -> None:
    before = snapshot()

    with pytest.raises(DemoAlreadyExists) as info:
        generate(scale="tiny", seed=1)

    assert "--replace" in str(info.value)
    assert "มีข้อมูลหน่วยงานอยู่แล้ว" in str(info.value)
    assert snapshot() == before
    assert AuditEntry.objects.count() == 1


def test_replace_removes_the_previous_demo_but_keeps_the_audit_log(tiny: dict[str, Any]) -> None:
    generate(scale="tiny", seed=2569, replace=True)

    assert OrgUnit.objects.count() == 1 + 18 + 9 + 59
    assert User.objects.count() == 13
    assert RoleAssignment.objects.count() == 13
    assert AuditEntry.objects.filter(object_type="demo.nation").count() == 2


def test_demo_command_prints_a_bilingual_summary_and_refuses_a_second_run(db: None) -> None:
    out = StringIO()
    call_command("demo", "--scale", "tiny", stdout=out)

    assert "59 โรงเรียน" in out.getvalue()
    assert "59 schools" in out.getvalue()
    with pytest.raises(CommandError, match="use --replace"):
        call_command("demo", "--scale", "tiny", stdout=StringIO())


def test_run_without_serving_generates_once_and_prints_the_logins(db: None) -> None:
    out = StringIO()
    call_command("run", "--no-serve", "--scale", "tiny", stdout=out)
    call_command("run", "--no-serve", "--scale", "tiny", "--port", "9000", stdout=out)
    text = out.getvalue()

    assert OrgUnit.objects.filter(kind="school").count() == 59
    assert AuditEntry.objects.filter(object_type="demo.nation").count() == 1
    assert "http://127.0.0.1:8000" in text
    assert "http://127.0.0.1:9000" in text
    assert "Executive cockpit:      http://127.0.0.1:9000/cockpit/" in text
    assert "Reusing the existing demo data" in text
    assert "SUKSA_ENFORCE_2FA=0" in text
    for persona in PERSONAS:
        assert persona.username in text
    assert "โรงเรียนอนุบาลนนทบุรี" in text
    assert "Anuban Nonthaburi School" in text
