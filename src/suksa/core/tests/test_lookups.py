"""``path__under`` selects a subtree exactly, on SQLite (GLOB) and PostgreSQL (LIKE) alike."""

from __future__ import annotations

import pytest
from django.db import connection

from suksa.core.models import OrgUnit
from tests.factories import make_unit


@pytest.mark.django_db
def test_under_selects_the_subtree_and_respects_code_boundaries(world):
    # R0 is a prefix of R01's code but not of its path: "/OBEC/R0/" must not match "/OBEC/R01/".
    make_unit("region", "R0", "เขตทดสอบ", world.nation)
    codes = set(OrgUnit.objects.filter(path__under="/OBEC/R01/").values_list("code", flat=True))
    assert codes == {"R01", "11201", "21201", "1012000001", "1012000002", "1012000101"}
    assert set(OrgUnit.objects.filter(path__under="/OBEC/R0/").values_list("code", flat=True)) == {"R0"}


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ["/OBEC/*", "/OBEC/?", "/OBEC/[R]", "/OBEC/%", "/OBEC/_"])
def test_wildcards_in_a_prefix_match_literally(world, odd):
    assert list(OrgUnit.objects.filter(path__under=odd)) == []


@pytest.mark.django_db
def test_is_case_sensitive_like_paths(world):
    assert OrgUnit.objects.filter(path__under="/obec/").count() == 0
    assert OrgUnit.objects.filter(path__under="/OBEC/").count() == 10


@pytest.mark.django_db
def test_sqlite_uses_the_path_index():
    if connection.vendor != "sqlite":
        pytest.skip("GLOB is the SQLite form; PostgreSQL serves LIKE 'prefix%' from varchar_pattern_ops")
    sql, params = OrgUnit.objects.filter(path__under="/OBEC/R01/").values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "INDEX" in plan
    assert "path>? AND path<?" in plan
