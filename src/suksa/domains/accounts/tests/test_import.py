"""Bulk user import: encodings, Thai/English headers, every problem located, all-or-nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from suksa.core.errors import PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.core.tabular import ImportReport
from suksa.domains.accounts import services
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import RoleAssignment, User
from tests.factories import World

THAI_HEADER = [
    "ชื่อผู้ใช้",
    "คำนำหน้า",
    "ชื่อ",
    "นามสกุล",
    "first_name_en",
    "last_name_en",
    "อีเมล",
    "บทบาท",
    "รหัสหน่วยงาน",
]
ENGLISH_HEADER = [
    "username",
    "title",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "email",
    "role",
    "unit_code",
]
GOOD_ROWS = [
    [
        "kru.somchai",
        "นาย",
        "สมชาย",
        "ใจงาม",
        "Somchai",
        "Jai-ngam",
        "somchai@example.org",
        "ครู",
        "1012000001",
    ],
    ["kru.malee", "นางสาว", "มาลี", "ดีเด่น", "Malee", "Deeden", "", "teacher", "1012000002"],
]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding) + b"\r\n"


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(actor: Actor, data: bytes, filename: str = "users.csv", keep_valid: bool = False) -> ImportReport:
    return services.users_import(actor=actor, file=io.BytesIO(data), filename=filename, keep_valid=keep_valid)


def counts() -> tuple[int, int]:
    return User.objects.count(), RoleAssignment.objects.count()


@pytest.mark.parametrize(
    ("encoding", "header"),
    [("utf-8", THAI_HEADER), ("utf-8-sig", THAI_HEADER), ("cp874", THAI_HEADER), ("utf-8", ENGLISH_HEADER)],
)
def test_csv_import_in_each_encoding_creates_users_with_roles(
    world: World, encoding: str, header: list[str]
) -> None:
    report = run(actor_for(world.user("sysadmin_a1")), csv_bytes([header, *GOOD_ROWS], encoding))
    assert report.problems == []
    assert (report.rows_read, report.created, report.unchanged, report.committed) == (2, 2, 0, True)
    somchai = User.objects.get(username="kru.somchai")
    assert (somchai.title_th, somchai.first_name_th, somchai.last_name_th) == ("นาย", "สมชาย", "ใจงาม")
    assert (somchai.first_name, somchai.last_name, somchai.email) == (
        "Somchai",
        "Jai-ngam",
        "somchai@example.org",
    )
    assert somchai.has_usable_password() is False
    assert somchai.must_change_password is True
    assert list(
        RoleAssignment.objects.filter(user__username__startswith="kru.")
        .values_list("user__username", "role", "unit__code")
        .order_by("user__username")
    ) == [
        ("kru.malee", "teacher", "1012000002"),
        ("kru.somchai", "teacher", "1012000001"),
    ]
    assert AuditEntry.objects.filter(action="create", object_type="accounts.user").count() == 2
    summary = AuditEntry.objects.get(action="import")
    assert summary.changes == {
        "file": "users.csv",
        "rows_read": 2,
        "created": 2,
        "unchanged": 0,
        "rejected_rows": 0,
    }
    assert summary.unit_path == world.esa_a1.path


def test_xlsx_import(world: World) -> None:
    report = run(actor_for(world.user("sysadmin")), xlsx_bytes([ENGLISH_HEADER, *GOOD_ROWS]), "users.xlsx")
    assert (report.created, report.problems) == (2, [])
    assert User.objects.filter(username__in=["kru.somchai", "kru.malee"]).count() == 2


BAD_ROWS = [
    ["kru.somchai", "นาย", "สมชาย", "ใจงาม", "", "", "", "ครู", "1012000001"],  # row 2: fine
    ["kru.far", "นาย", "ไกล", "มาก", "", "", "", "ครู", "1050000001"],  # row 3: another ESA's school
    ["kru.ghost", "นาย", "ผี", "ไม่มี", "", "", "", "ครู", "9999999999"],  # row 4: no such unit
    ["kru.wrongrole", "นาย", "ผิด", "บทบาท", "", "", "", "esa_officer", "1012000002"],  # row 5
    ["kru.somchai", "นาย", "ซ้ำ", "ในไฟล์", "", "", "", "ครู", "1012000002"],  # row 6: duplicate in file
    ["teacher_a1_1", "นาย", "ซ้ำ", "ในระบบ", "", "", "", "ครู", "1012000001"],  # row 7: taken in DB
    ["kru.mail", "นาง", "อีเมล", "ผิด", "", "", "not-an-email", "ครู", "1012000001"],  # row 8
    ["kru.malee", "นางสาว", "มาลี", "ดีเด่น", "", "", "", "teacher", "1012000002"],  # row 9: fine
]


def test_one_bad_row_writes_nothing_by_default(world: World) -> None:
    before, audits = counts(), AuditEntry.objects.count()
    rows = [ENGLISH_HEADER, GOOD_ROWS[0], [*GOOD_ROWS[1][:6], "bad@", *GOOD_ROWS[1][7:]]]
    report = run(actor_for(world.user("sysadmin_a1")), csv_bytes(rows, "utf-8"))
    assert (report.committed, report.created, report.rejected_rows) == (False, 0, 1)
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, "email", "email_invalid")]
    assert counts() == before
    assert AuditEntry.objects.count() == audits


def test_every_problem_is_located_and_bilingual(world: World) -> None:
    before = counts()
    report = run(actor_for(world.user("sysadmin_a1")), csv_bytes([THAI_HEADER, *BAD_ROWS], "utf-8"))
    assert report.committed is False
    assert counts() == before
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (3, "รหัสหน่วยงาน", "unit_unknown"),
        (4, "รหัสหน่วยงาน", "unit_unknown"),
        (5, "บทบาท", "role_not_allowed_on_unit"),
        (6, "ชื่อผู้ใช้", "username_duplicate_in_file"),
        (7, "ชื่อผู้ใช้", "username_taken"),
        (8, "อีเมล", "email_invalid"),
    ]
    out_of_scope, unknown = report.problems[0], report.problems[1]
    # Another ESA's school reads exactly like a code that does not exist.
    assert (out_of_scope.th, out_of_scope.en) == (
        "ไม่พบหน่วยงานรหัส '1050000001'",
        "No unit with the code '1050000001'",
    )
    assert (unknown.th, unknown.en) == ("ไม่พบหน่วยงานรหัส '9999999999'", "No unit with the code '9999999999'")
    assert (
        report.problems[3].message("th")
        == "ไฟล์ users.csv แถว 6 คอลัมน์ ชื่อผู้ใช้: ชื่อผู้ใช้ 'kru.somchai' ซ้ำกับแถว 2 ในไฟล์เดียวกัน"
    )
    assert (
        report.problems[3].message("en")
        == "file users.csv, row 6, column ชื่อผู้ใช้: The username 'kru.somchai' repeats row 2 of this file"
    )
    assert report.problems[2].en == "The role 'ESA officer' cannot be granted on a unit of kind School"
    assert all(p.th and p.en and p.file == "users.csv" for p in report.problems)


def test_keep_valid_writes_the_good_rows_and_reports_the_bad(world: World) -> None:
    before = counts()
    report = run(
        actor_for(world.user("sysadmin_a1")), csv_bytes([THAI_HEADER, *BAD_ROWS], "utf-8"), keep_valid=True
    )
    assert (report.committed, report.kept_valid_rows, report.created, report.rejected_rows) == (
        True,
        True,
        2,
        6,
    )
    assert counts() == (before[0] + 2, before[1] + 2)
    assert set(User.objects.filter(username__startswith="kru.").values_list("username", flat=True)) == {
        "kru.somchai",
        "kru.malee",
    }
    assert [p.row for p in report.problems] == [3, 4, 5, 6, 7, 8]


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    admin = actor_for(world.user("sysadmin_a1"))
    data = csv_bytes([THAI_HEADER, *GOOD_ROWS], "cp874")
    first = run(admin, data)
    assert first.created == 2
    state = (
        counts(),
        list(User.objects.values_list("username", "password", "first_name_th").order_by("username")),
    )
    second = run(admin, data)
    assert (second.created, second.unchanged, second.problems, second.committed) == (0, 2, [], True)
    assert (
        counts(),
        list(User.objects.values_list("username", "password", "first_name_th").order_by("username")),
    ) == state


def test_missing_required_column_is_reported_on_the_header_row(world: World) -> None:
    report = run(
        actor_for(world.user("sysadmin")), csv_bytes([["username", "ชื่อ", "นามสกุล", "บทบาท"]], "utf-8")
    )
    assert [(p.row, p.code) for p in report.problems] == [(1, "column_missing")]
    assert report.committed is False


@pytest.mark.parametrize("name", ["director_a1_1", "esa_director_a1", "dpo", "executive", "esa_officer_b1"])
def test_import_without_user_manage_is_refused(world: World, name: str) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        run(actor_for(world.user(name)), csv_bytes([ENGLISH_HEADER, *GOOD_ROWS], "utf-8"))
    assert counts() == before


def test_a_username_differing_only_in_case_is_taken(world: World) -> None:
    rows = [ENGLISH_HEADER, ["TEACHER_A1_1", "นาย", "ใหม่", "คน", "", "", "", "ครู", "1012000001"]]
    report = run(actor_for(world.user("sysadmin")), csv_bytes(rows, "utf-8"))
    assert [(p.row, p.column, p.code) for p in report.problems] == [(2, "username", "username_taken")]
    assert not User.objects.filter(username="TEACHER_A1_1").exists()
