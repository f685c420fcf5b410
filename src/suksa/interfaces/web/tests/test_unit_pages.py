"""The links from a unit's page to its students, census, attendance and indicator pages follow the
actor's permissions on that unit."""

from __future__ import annotations

import pytest

from suksa.domains.accounts.actors import actor_for
from suksa.interfaces.web.views.org import unit_pages
from tests.factories import World


def _labels(world: World, username: str, unit_name: str) -> list[str]:
    return [label for label, _ in unit_pages(actor_for(world.user(username)), getattr(world, unit_name))]


@pytest.mark.parametrize(
    ("username", "unit", "expected"),
    [
        ("director_a1_1", "school_a1_1",
         ["ทะเบียนนักเรียน", "ห้องเรียน", "เวลาเรียน", "การนับจำนวนนักเรียน", "เลื่อนชั้นสิ้นปี", "ตัวชี้วัด",
          "นำเข้านักเรียน"]),
        ("teacher_a1_1", "school_a1_1", ["ทะเบียนนักเรียน", "เวลาเรียน", "การนับจำนวนนักเรียน", "ตัวชี้วัด"]),
        ("executive", "school_a1_1", ["เวลาเรียน", "การนับจำนวนนักเรียน", "ตัวชี้วัด"]),
        ("esa_officer_a1", "school_a1_1",
         ["ทะเบียนนักเรียน", "ห้องเรียน", "เวลาเรียน", "การนับจำนวนนักเรียน", "ตัวชี้วัด"]),
        ("esa_officer_a1", "esa_a1",
         ["สถานะการนับจำนวนนักเรียน", "เวลาเรียนของโรงเรียน", "ตัวชี้วัด", "ทะเบียนซ้ำซ้อน"]),
        ("esa_officer_b1", "school_a1_1", []),
        ("director_a1_1", "esa_a1", []),
        ("executive", "nation", ["ตัวชี้วัด", "รอบการสำรวจข้อมูลนักเรียน"]),
    ],
)  # fmt: skip
def test_unit_pages_follow_permissions(world: World, username: str, unit: str, expected: list[str]) -> None:
    assert _labels(world, username, unit) == expected


def test_links_carry_the_unit_code(world: World) -> None:
    pages = dict(unit_pages(actor_for(world.user("director_a1_1")), world.school_a1_1))
    assert pages["ทะเบียนนักเรียน"] == f"/students/?school={world.school_a1_1.code}"
    assert pages["การนับจำนวนนักเรียน"] == f"/schools/{world.school_a1_1.code}/census/"
