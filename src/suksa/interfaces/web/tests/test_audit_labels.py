"""The audit table speaks the active language and names units by code."""

from __future__ import annotations

from django.test import Client

from suksa.core import audit
from suksa.core.policy import SYSTEM


def test_action_label_and_unit_code_follow_the_language(world):
    audit.record(
        actor=SYSTEM, action="update", object_type="core.school", object_id="1", unit_path="/OBEC/R01/11201/"
    )
    client = Client()
    client.force_login(world.user("dpo"))
    thai = client.get("/audit/").content.decode()
    assert "<td>แก้ไข</td>" in thai
    assert '<code title="/OBEC/R01/11201/">11201</code>' in thai
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    english = client.get("/audit/").content.decode()
    assert "<td>Update</td>" in english
    assert "แก้ไข / Update" not in english
