"""Student registry pages: the register, a learner's profile, registration, editing, guardians,
the G-code replacement and the sensitive-data page — with an authorization matrix per page.

Given two learners of school A1-1 (one in the teacher's homeroom, one in another room) and one of
ESA B, each persona gets the status below; every denial changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suksa.core.dates import academic_year_be_of
from suksa.core.models import AuditEntry
from suksa.domains.students.models import DuplicateClaim, Enrolment, Guardian, Student, StudentSensitive
from suksa.domains.students.models.choices import EnrolmentStatus, EntryKind
from suksa.domains.students.tests.factories import academic_year, citizen_id, make_classroom, make_student
from tests.factories import World


def client_for(world: World, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(world.user(name))
    return client


def state() -> tuple[Any, ...]:
    return (
        list(Student.objects.order_by("pk").values_list("pk", "first_name_th", "citizen_id", "school_id")),
        Enrolment.objects.count(),
        DuplicateClaim.objects.count(),
        Guardian.objects.count(),
        list(StudentSensitive.objects.values_list("student_id", "ccl_eligible")),
        AuditEntry.objects.exclude(action="read_sensitive").count(),
    )


def born(age: int) -> dt.date:
    t = timezone.localdate() - dt.timedelta(days=31)
    return t.replace(year=t.year - age)


def be(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


class Setting:
    def __init__(self, world: World) -> None:
        make_classroom(world.school_a1_1, "P1", 1, teachers=(world.user("teacher_a1_1"),))
        self.own = make_student(world.school_a1_1, grade="P1", room=1, first_name_th="ห้องครู", sex="M")
        self.other = make_student(world.school_a1_1, grade="P2", room=1, first_name_th="ห้องอื่น")
        self.b = make_student(world.school_b1_1, first_name_th="ลับเฉพาะ", last_name_th="เขตบี")


@pytest.fixture
def setting(world: World) -> Setting:
    return Setting(world)


# persona → (list rows or status, own-room detail, other-room detail, create, edit, sensitive)
MATRIX: dict[str, tuple[Any, int, int, int, int, int]] = {
    "director_a1_1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 200, 200, 200),
    "staff_a1_1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 200, 200, 200),
    "teacher_a1_1": ({"ห้องครู"}, 200, 404, 403, 403, 403),
    "esa_officer_a1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 403, 403, 403),
    "esa_director_a1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 403, 403, 403),
    "esa_officer_b1": ({"ลับเฉพาะ"}, 404, 404, 403, 404, 404),
    "director_a1_2": (set(), 404, 404, 404, 404, 404),
    "sysadmin_a1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 200, 200, 403),
    "executive": (403, 403, 403, 403, 403, 403),
    "inspector_r1": (403, 403, 403, 403, 403, 403),
    "dpo": (403, 403, 403, 403, 403, 403),
    "nobody": (403, 403, 403, 403, 403, 403),
}


def names_in(html: str) -> set[str]:
    return {n for n in ("ห้องครู", "ห้องอื่น", "ลับเฉพาะ") if n in html}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_authorization_matrix(world: World, setting: Setting, persona: str) -> None:
    rows, own, other, create, edit, sensitive = MATRIX[persona]
    client = client_for(world, persona)
    before = state()

    response = client.get(reverse("web:student_list"))
    if isinstance(rows, int):
        assert response.status_code == rows
    else:
        assert response.status_code == 200
        assert names_in(response.content.decode()) == rows
    assert client.get(reverse("web:student_detail", args=[setting.own.pk])).status_code == own
    assert client.get(reverse("web:student_detail", args=[setting.other.pk])).status_code == other
    create_url = reverse("web:student_create") + f"?school={world.school_a1_1.code}"
    assert client.get(create_url).status_code == create
    assert client.get(reverse("web:student_edit", args=[setting.own.pk])).status_code == edit
    assert client.post(reverse("web:student_edit", args=[setting.own.pk]), {}).status_code == edit
    if create != 200:
        assert client.post(create_url, form_data()).status_code == create
    reads_before = AuditEntry.objects.filter(action="read_sensitive").count()
    assert client.get(reverse("web:student_sensitive", args=[setting.own.pk])).status_code == sensitive
    reads = AuditEntry.objects.filter(action="read_sensitive").count() - reads_before
    assert reads == (1 if sensitive == 200 else 0)
    if sensitive != 200:
        post = client.post(reverse("web:student_sensitive", args=[setting.own.pk]), {"ccl_eligible": "on"})
        assert post.status_code == sensitive
    assert state() == before


def test_anonymous_people_are_sent_to_log_in(world: World, setting: Setting) -> None:
    for url in (
        reverse("web:student_list"),
        reverse("web:student_detail", args=[setting.own.pk]),
        reverse("web:student_sensitive", args=[setting.own.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- the register ----------------------------------------------------------------------------------


def test_register_filters_by_name_id_grade_room_sex_and_status(world: World, setting: Setting) -> None:
    pending = make_student(
        world.school_a1_1, grade="P2", room=2, first_name_th="สมปอง", status="pending_transfer"
    )
    left = make_student(world.school_a1_1, grade="P3", first_name_th="สมหมาย")
    Enrolment.objects.filter(student=left).update(status="dropped_out", exit_reason="01")
    client = client_for(world, "staff_a1_1")

    def found(**params: Any) -> set[str]:
        html = client.get(reverse("web:student_list"), params).content.decode()
        return {n for n in ("ห้องครู", "ห้องอื่น", "สมปอง", "สมหมาย") if n in html}

    assert found() == {"ห้องครู", "ห้องอื่น", "สมปอง", "สมหมาย"}
    assert found(q="ห้องค") == {"ห้องครู"}
    assert found(q=setting.other.citizen_id) == {"ห้องอื่น"}
    assert found(grade="P2") == {"ห้องอื่น", "สมปอง"}
    assert found(grade="P2", room=2) == {"สมปอง"}
    assert found(sex="M") == {"ห้องครู"}
    assert found(status="studying") == {"ห้องครู", "ห้องอื่น"}
    assert found(status="pending_transfer") == {"สมปอง"}
    assert found(status="left") == {"สมหมาย"}
    assert found(status="left", grade="P3") == {"สมหมาย"}
    assert pending.pk


def test_register_counts_and_esa_school_filter(world: World, setting: Setting) -> None:
    make_student(world.school_a1_2, first_name_th="โรงเรียนสอง")
    client = client_for(world, "esa_officer_a1")
    html = client.get(reverse("web:student_list")).content.decode()
    assert re.search(r"พบ 3 คน\s+\(ชาย 1 · หญิง 2\)", html)
    html = client.get(reverse("web:student_list"), {"school": world.school_a1_2.code}).content.decode()
    assert "โรงเรียนสอง" in html
    assert "ห้องครู" not in html
    assert re.search(r"พบ 1 คน", html)
    # Another ESA's school code yields nothing rather than an error.
    html = client.get(reverse("web:student_list"), {"school": world.school_b1_1.code}).content.decode()
    assert "ลับเฉพาะ" not in html
    assert re.search(r"พบ 0 คน", html)


def test_register_offers_registration_at_the_directors_school(world: World, setting: Setting) -> None:
    html = client_for(world, "director_a1_1").get(reverse("web:student_list")).content.decode()
    assert f'href="/students/new/?school={world.school_a1_1.code}"' in html
    html = client_for(world, "esa_officer_a1").get(reverse("web:student_list")).content.decode()
    assert "/students/new/" not in html


def test_register_is_paginated_by_50_with_a_bounded_number_of_queries(
    world: World, setting: Setting, django_assert_max_num_queries: Any
) -> None:
    for i in range(60):
        make_student(world.school_a1_1, grade="P3", room=1 + i % 3, first_name_th=f"นักเรียน{i:02d}")
    client = client_for(world, "director_a1_1")
    client.get(reverse("web:student_list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:student_list"))
    html = response.content.decode()
    assert len(set(re.findall(r'href="/students/(\d+)/"', html))) == 50
    assert "หน้า 1 / 2" in html
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:student_list"), {"page": 2})
    assert response.status_code == 200


# --- the profile -----------------------------------------------------------------------------------


def test_profile_shows_formatted_id_history_across_schools_and_guardians(
    world: World, setting: Setting
) -> None:
    student = setting.own
    ay = academic_year()
    earlier = academic_year(2568)
    Enrolment.objects.create(
        student=student, school=world.school_a1_2, academic_year=earlier, grade="K3",
        classroom=make_classroom(world.school_a1_2, "K3", 2, year_be=2568), entry=EntryKind.ADMITTED,
        status=EnrolmentStatus.TRANSFERRED_OUT, starts_on=earlier.starts_on, ends_on=ay.starts_on - dt.timedelta(days=1),
    )  # fmt: skip
    Guardian.objects.create(
        student=student, relation="mother", name_th="นางมาลี", phone="0812345678", is_primary=True
    )
    html = (
        client_for(world, "director_a1_1")
        .get(reverse("web:student_detail", args=[student.pk]))
        .content.decode()
    )
    cid = student.citizen_id or ""
    assert f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}" in html
    history = html[html.index('id="history"') :]
    assert world.school_a1_2.name_th in history
    assert world.school_a1_1.name_th in history
    assert history.index("2568") < history.index("2569")
    assert "ย้ายออก" in history
    assert "นางมาลี" in html
    assert "081-234-5678" in html
    assert reverse("web:student_sensitive", args=[student.pk]) in html
    assert reverse("web:student_edit", args=[student.pk]) in html


def test_profile_links_sensitive_data_only_for_roles_that_may_read_it(world: World, setting: Setting) -> None:
    url = reverse("web:student_sensitive", args=[setting.own.pk])
    for persona, shown in (
        ("staff_a1_1", True),
        ("teacher_a1_1", False),
        ("esa_officer_a1", False),
        ("sysadmin_a1", False),
    ):
        html = (
            client_for(world, persona)
            .get(reverse("web:student_detail", args=[setting.own.pk]))
            .content.decode()
        )
        assert (url in html) is shown, persona
    assert AuditEntry.objects.filter(action="read_sensitive").count() == 0


def test_profile_of_a_g_code_learner_offers_the_citizen_id_form(world: World) -> None:
    student = make_student(world.school_a1_1, g_code="G256912000001")
    html = (
        client_for(world, "staff_a1_1").get(reverse("web:student_detail", args=[student.pk])).content.decode()
    )
    assert "G256912000001" in html
    assert reverse("web:student_citizen_id", args=[student.pk]) in html


# --- register a learner ------------------------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    base = {
        "identifier": citizen_id(),
        "prefix_th": "เด็กชาย",
        "first_name_th": "กล้า",
        "last_name_th": "หาญ",
        "first_name_en": "Kla",
        "last_name_en": "Han",
        "sex": "M",
        "birth_date": be(born(6)),
        "nationality": "THA",
        "grade": "P1",
        "room": "2",
    }
    base.update(overrides)
    return base


def test_register_a_learner_through_the_form(world: World) -> None:
    client = client_for(world, "staff_a1_1")
    url = reverse("web:student_create") + f"?school={world.school_a1_1.code}"
    assert world.school_a1_1.name_th in client.get(url).content.decode()
    response = client.post(url, form_data(identifier="G256912000123"))
    student = Student.objects.get(g_code="G256912000123")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:student_detail", args=[student.pk])
    enrolment = student.enrolments.get()
    assert (
        enrolment.grade,
        enrolment.classroom.number if enrolment.classroom else None,
        enrolment.academic_year.year_be,
    ) == (
        "P1",
        2,
        academic_year_be_of(timezone.localdate()),
    )


def test_the_form_shows_problems_in_thai_and_english(world: World) -> None:
    client = client_for(world, "staff_a1_1")
    url = reverse("web:student_create") + f"?school={world.school_a1_1.code}"
    before = state()
    response = client.post(url, form_data(identifier="1234567890123", grade="M4"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "มีหลักตรวจสอบไม่ถูกต้อง · Citizen ID &#x27;1234567890123&#x27; has a wrong check digit" in html
    assert "This school teaches K1–P6, not M4" in html
    assert state() == before


def test_registering_an_id_held_at_another_school_routes_a_claim(world: World, setting: Setting) -> None:
    client = client_for(world, "staff_a1_1")
    url = reverse("web:student_create") + f"?school={world.school_a1_1.code}"
    students = Student.objects.count()
    response = client.post(url, form_data(identifier=setting.b.citizen_id))
    assert response.status_code == 409
    claim = DuplicateClaim.objects.get()
    html = response.content.decode()
    assert "มีทะเบียนนักเรียนนี้อยู่แล้วที่โรงเรียนอื่น" in html
    assert world.school_b1_1.name_th in html
    assert f"#{claim.pk}" in html
    # Nothing of the learner at the other school is revealed.
    assert "ลับเฉพาะ" not in html
    assert "เขตบี" not in html
    assert Student.objects.count() == students


def test_create_for_a_school_out_of_reach(world: World) -> None:
    client = client_for(world, "director_a1_1")
    assert client.get(reverse("web:student_create") + f"?school={world.school_b1_1.code}").status_code == 404
    assert client.get(reverse("web:student_create") + "?school=9999999999").status_code == 404
    assert client.get(reverse("web:student_create") + f"?school={world.school_a1_2.code}").status_code == 404
    # Without a school, a director registers at their own.
    assert world.school_a1_1.name_th in client.get(reverse("web:student_create")).content.decode()


# --- edit, G-code, guardians, sensitive --------------------------------------------------------------


def test_edit_saves_and_audits(world: World, setting: Setting) -> None:
    client = client_for(world, "staff_a1_1")
    url = reverse("web:student_edit", args=[setting.own.pk])
    data = {
        "prefix_th": "เด็กชาย",
        "first_name_th": "ใหม่",
        "last_name_th": "นักเรียน",
        "first_name_en": "",
        "last_name_en": "",
        "sex": "M",
        "birth_date": be(setting.own.birth_date),
        "nationality": "THA",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Student.objects.get(pk=setting.own.pk).first_name_th == "ใหม่"
    entry = AuditEntry.objects.get(action="update", object_type="students.student")
    assert entry.changes["first_name_th"] == ["ห้องครู", "ใหม่"]


def test_citizen_id_replaces_a_g_code_through_the_form(world: World) -> None:
    student = make_student(world.school_a1_1, g_code="G256912000002")
    cid = citizen_id()
    response = client_for(world, "staff_a1_1").post(
        reverse("web:student_citizen_id", args=[student.pk]), {"citizen_id": cid}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.citizen_id, student.g_code) == (cid, "G256912000002")


def test_guardians_add_edit_remove(world: World, setting: Setting) -> None:
    client = client_for(world, "staff_a1_1")
    url = reverse("web:student_guardians", args=[setting.own.pk])
    response = client.post(
        url, {"action": "add", "relation": "mother", "name_th": "นางมาลี", "phone": "081-234-5678"}
    )
    assert response.status_code == 302
    g = Guardian.objects.get()
    assert g.phone == "0812345678"
    html = client.get(url, {"guardian": g.pk}).content.decode()
    assert 'value="นางมาลี"' in html
    client.post(
        url,
        {
            "action": "update",
            "guardian": g.pk,
            "relation": "guardian",
            "name_th": "นางมาลี",
            "is_primary": "on",
        },
    )
    g.refresh_from_db()
    assert (g.relation, g.is_primary) == ("guardian", True)
    bad = client.post(url, {"action": "add", "relation": "mother", "name_th": "นางสาว", "phone": "123"})
    assert bad.status_code == 400
    assert "is not a Thai number" in bad.content.decode()
    client.post(url, {"action": "remove", "guardian": g.pk})
    assert not Guardian.objects.exists()
    # Another learner's guardian id is not found through this learner.
    other = Guardian.objects.create(student=setting.other, relation="father", name_th="นายอื่น")
    assert client.post(url, {"action": "remove", "guardian": other.pk}).status_code == 404
    assert Guardian.objects.filter(pk=other.pk).exists()


def test_guardians_page_is_read_only_for_the_esa_and_teacher(world: World, setting: Setting) -> None:
    url = reverse("web:student_guardians", args=[setting.own.pk])
    for persona in ("esa_officer_a1", "teacher_a1_1"):
        client = client_for(world, persona)
        assert client.get(url).status_code == 200
        before = state()
        assert (
            client.post(url, {"action": "add", "relation": "mother", "name_th": "นางมาลี"}).status_code == 403
        )
        assert state() == before


def test_sensitive_page_reads_with_audit_and_saves(world: World, setting: Setting) -> None:
    client = client_for(world, "director_a1_1")
    url = reverse("web:student_sensitive", args=[setting.own.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="read_sensitive", object_id=str(setting.own.pk)).count() == 1
    response = client.post(
        url, {"disability": "2", "health_notes": "หอบหืด", "ccl_eligible": "on", "religion": ""}
    )
    assert response.status_code == 302
    stored = StudentSensitive.objects.get(student=setting.own)
    assert (stored.disability, stored.health_notes, stored.ccl_eligible) == ("2", "หอบหืด", True)
    entry = AuditEntry.objects.get(action="update", object_type="students.student_sensitive")
    assert entry.changes == {"fields": ["ccl_eligible", "disability", "health_notes"]}
    # Saving is not a read: still one read entry.
    assert AuditEntry.objects.filter(action="read_sensitive").count() == 1


def test_search_accepts_a_citizen_id_typed_with_dashes(world: World, setting: Setting) -> None:
    cid = setting.other.citizen_id or ""
    dashed = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    html = client_for(world, "staff_a1_1").get(reverse("web:student_list"), {"q": dashed}).content.decode()
    assert names_in(html) == {"ห้องอื่น"}


def test_create_without_a_school_asks_an_esa_wide_editor_to_choose(world: World) -> None:
    response = client_for(world, "sysadmin_a1").get(reverse("web:student_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:student_list")
