"""A small synthetic world for tests: two regions, three ESAs, four schools and a persona per role.

Synthetic personas only; names are invented. Every test that needs scoping uses this world so that
"another ESA" and "another school" always exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suksa.core.models import District, EsaProfile, OrgUnit, Province, School, Subdistrict
from suksa.core.policy import Role
from suksa.domains.accounts.models import RoleAssignment, User

PASSWORD = "Suksa-test-2569!"


def make_unit(kind: str, code: str, name_th: str, parent: OrgUnit | None, name_en: str = "") -> OrgUnit:
    return OrgUnit.objects.create(kind=kind, code=code, name_th=name_th, name_en=name_en, parent=parent)


def make_esa(
    code: str, name_th: str, region: OrgUnit, esa_type: str, province_code: str, area: int
) -> OrgUnit:
    unit = make_unit("esa", code, name_th, region, name_en=f"ESA {code}")
    province = Province.objects.get(code=province_code)
    profile = EsaProfile.objects.create(
        unit=unit, esa_type=esa_type, area_number=area, office_province=province
    )
    profile.provinces.add(province)
    return unit


def make_school(code: str, name_th: str, esa: OrgUnit, students: int = 100, teachers: int = 8) -> OrgUnit:
    unit = make_unit("school", code, name_th, esa, name_en=f"School {code}")
    province = Province.objects.get(code=code[2:4])
    district = District.objects.filter(province=province).order_by("code").first()
    sub = Subdistrict.objects.filter(district=district).order_by("code").first()
    assert district is not None
    assert sub is not None
    School.objects.create(
        unit=unit,
        esa_type=esa.esa.esa_type,
        province=province,
        district=district,
        subdistrict=sub,
        area_type="rural",
        lowest_grade="K1" if esa.esa.esa_type == "primary" else "M1",
        highest_grade="P6" if esa.esa.esa_type == "primary" else "M6",
        student_count=students,
        teacher_count=teachers,
        classroom_count=8,
        size_band="small" if students <= 120 else "medium",
    )
    return unit


def make_user(
    username: str, role: Role | str | None = None, unit: OrgUnit | None = None, **extra: str
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name_th=extra.pop("first_name_th", "ทดสอบ"),
        last_name_th=extra.pop("last_name_th", username),
        first_name=extra.pop("first_name", "Test"),
        last_name=extra.pop("last_name", username),
        **extra,
    )
    if role is not None and unit is not None:
        RoleAssignment.objects.create(user=user, role=str(role), unit=unit)
    return user


@dataclass
class World:
    nation: OrgUnit
    region_1: OrgUnit
    region_2: OrgUnit
    esa_a1: OrgUnit  # region 1, primary, Nonthaburi
    esa_a2: OrgUnit  # region 1, secondary, Nonthaburi
    esa_b1: OrgUnit  # region 2, primary, Chiang Mai
    school_a1_1: OrgUnit
    school_a1_2: OrgUnit
    school_a2_1: OrgUnit
    school_b1_1: OrgUnit
    users: dict[str, User] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.users[name]


def ensure_reference_data() -> None:
    """Reload geography and size bands when a transactional test flushed what migrations loaded."""
    from suksa.core.models import SizeBandRule
    from suksa.core.reference import load_geography, seed_size_bands

    if not Subdistrict.objects.exists():
        load_geography(Province, District, Subdistrict)
    if not SizeBandRule.objects.exists():
        seed_size_bands(SizeBandRule)


def make_world() -> World:
    ensure_reference_data()
    nation = make_unit("nation", "OBEC", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน", None, "OBEC")
    r1 = make_unit("region", "R01", "เขตตรวจราชการที่ 1", nation, "Inspection Region 1")
    r2 = make_unit("region", "R02", "เขตตรวจราชการที่ 2", nation, "Inspection Region 2")
    a1 = make_esa("11201", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1", r1, "primary", "12", 1)
    a2 = make_esa("21201", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษานนทบุรี", r1, "secondary", "12", 0)
    b1 = make_esa("15001", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1", r2, "primary", "50", 1)
    w = World(
        nation=nation,
        region_1=r1,
        region_2=r2,
        esa_a1=a1,
        esa_a2=a2,
        esa_b1=b1,
        school_a1_1=make_school("1012000001", "โรงเรียนบ้านบางกร่าง", a1, students=85),
        school_a1_2=make_school("1012000002", "โรงเรียนวัดท่าอิฐ", a1, students=430),
        school_a2_1=make_school("1012000101", "โรงเรียนนนทรีวิทยา", a2, students=1800, teachers=80),
        school_b1_1=make_school("1050000001", "โรงเรียนบ้านแม่ริม", b1, students=60, teachers=5),
    )
    personas: list[tuple[str, Role, OrgUnit]] = [
        ("executive", Role.NATIONAL_EXECUTIVE, nation),
        ("me_officer", Role.NATIONAL_ME_OFFICER, nation),
        ("reviewer", Role.ME_REVIEWER, nation),
        ("inspector_r1", Role.INSPECTOR, r1),
        ("esa_director_a1", Role.ESA_DIRECTOR, a1),
        ("esa_officer_a1", Role.ESA_OFFICER, a1),
        ("esa_officer_b1", Role.ESA_OFFICER, b1),
        ("director_a1_1", Role.SCHOOL_DIRECTOR, w.school_a1_1),
        ("staff_a1_1", Role.SCHOOL_STAFF, w.school_a1_1),
        ("teacher_a1_1", Role.TEACHER, w.school_a1_1),
        ("director_a1_2", Role.SCHOOL_DIRECTOR, w.school_a1_2),
        ("director_b1_1", Role.SCHOOL_DIRECTOR, w.school_b1_1),
        ("dpo", Role.DPO, nation),
        ("dpo_a1", Role.DPO, a1),
        ("sysadmin", Role.SYSADMIN, nation),
        ("sysadmin_a1", Role.SYSADMIN, a1),
    ]
    for username, role, unit in personas:
        w.users[username] = make_user(username, role, unit)
    w.users["nobody"] = make_user("nobody")  # an account with no role anywhere
    return w
