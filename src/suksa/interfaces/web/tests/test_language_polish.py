"""Preferred language at login and on the language switch; readable audit changes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path

from suksa.core.models import AuditEntry
from suksa.interfaces.web.templatetags.suksa import audit_changes
from suksa.interfaces.web.views import shell
from tests.factories import PASSWORD, World

# The wrapper serves /i18n/setlang/ ahead of Django's view (as config/urls.py should route it).
urlpatterns = [
    path("i18n/setlang/", shell.set_language, name="set_language"),
    path("", include("config.urls")),
]


def test_login_sets_the_preferred_language_cookie(world: World) -> None:
    user = world.user("dpo")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    response = Client().post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.urls(__name__)
def test_switch_stores_the_choice_of_a_signed_in_user_and_audits_it(world: World) -> None:
    user = world.user("dpo")
    client = Client()
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.preferred_language == "en"
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).latest("id")
    assert entry.changes == {"preferred_language": ["th", "en"]}
    count = AuditEntry.objects.count()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert AuditEntry.objects.count() == count  # no change, no entry
    Client().post("/i18n/setlang/", {"language": "th", "next": "/"})  # anonymous: cookie only


def test_audit_changes_renders_diffs_and_dicts_readably() -> None:
    html = str(audit_changes({"name_th": ["โรงเรียนเก่า", "โรงเรียนใหม่"]}))
    assert "name_th" in html
    assert "โรงเรียนเก่า" in html
    assert "→" in html
    assert "โรงเรียนใหม่" in html
    html = str(audit_changes({"detail": "password"}))
    assert "detail" in html
    assert "password" in html
    assert "{" not in html
    html = str(audit_changes({"note": "<b>x</b>" + "ก" * 200}))
    assert "&lt;b&gt;" in html
    assert "<details" in html
    assert "…" in html
    assert str(audit_changes({})) == ""
