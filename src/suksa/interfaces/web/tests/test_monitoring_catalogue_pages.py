"""Catalogue, targets, frameworks, rounds and external-import pages: who sees what, who may change
what (nothing changes on a refusal), and the pages doing their work in Thai and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suksa.core.dates import format_be_input
from suksa.core.models import AuditEntry, IndicatorValue
from suksa.domains.monitoring.models import Framework, Indicator, Round, Target, TargetArea
from suksa.domains.monitoring.models.choices import FrameworkStatus
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db

ONET = "รหัสหน่วยงาน,รหัสตัวชี้วัด,ช่วงเวลา,ค่า\n11201,onet_mean_p6,2568,41.25\n15001,onet_mean_p6,2568,38.5\n"


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    ensure_catalogue()
    fw = make_framework(2569, status=FrameworkStatus.DRAFT)
    return {"world": world, "fw": fw, "round": round_of(fw, "m12")}


def page_urls(fw: Framework, rnd: Round) -> dict[str, str]:
    return {
        "catalogue": reverse("web:monitoring_catalogue"),
        "indicator": reverse("web:monitoring_indicator", args=["dropout_rate"]),
        "targets": reverse("web:monitoring_targets"),
        "frameworks": reverse("web:monitoring_frameworks"),
        "framework": reverse("web:monitoring_framework", args=[fw.pk]),
        "new": reverse("web:monitoring_indicator_new"),
        "revise": reverse("web:monitoring_indicator_revise", args=["dropout_rate"]),
        "round_edit": reverse("web:monitoring_round_edit", args=[rnd.pk]),
        "external": reverse("web:monitoring_external_import"),
    }


READ = {"catalogue": 200, "indicator": 200, "targets": 200, "frameworks": 200, "framework": 200}
FORMS_REFUSED = {"new": 403, "revise": 403, "round_edit": 403, "external": 403}
MATRIX: list[tuple[str | None, dict[str, int]]] = [
    ("me_officer", {**READ, "new": 200, "revise": 200, "round_edit": 200, "external": 200}),
    ("executive", {**READ, **FORMS_REFUSED}),
    ("reviewer", {**READ, **FORMS_REFUSED}),
    ("inspector_r1", {**READ, **FORMS_REFUSED}),
    ("esa_director_a1", {**READ, **FORMS_REFUSED}),
    ("esa_officer_b1", {**READ, **FORMS_REFUSED}),
    ("teacher_a1_1", {**READ, **FORMS_REFUSED}),
    # A national system administrator imports and recomputes stored values, but does not manage.
    ("sysadmin", {**READ, "new": 403, "revise": 403, "round_edit": 403, "external": 200}),
    ("nobody", dict.fromkeys([*READ, *FORMS_REFUSED], 403)),
]


@pytest.mark.parametrize(("persona", "expected"), MATRIX)
def test_pages_authorization_matrix(setup: dict[str, Any], persona: str, expected: dict[str, int]) -> None:
    urls = page_urls(setup["fw"], setup["round"])
    client = client_for(setup["world"], persona)
    got = {name: client.get(urls[name]).status_code for name in expected}
    assert got == expected


def test_anonymous_is_sent_to_sign_in(setup: dict[str, Any]) -> None:
    for name, url in page_urls(setup["fw"], setup["round"]).items():
        response = Client().get(url)
        assert response.status_code == 302, name
        assert "login" in response["Location"], name


def test_unknown_ids_are_404(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    assert client.get(reverse("web:monitoring_indicator", args=["no_such"])).status_code == 404
    assert client.get(reverse("web:monitoring_framework", args=[9999])).status_code == 404
    assert client.get(reverse("web:monitoring_round_edit", args=[9999])).status_code == 404


@pytest.mark.parametrize("persona", ["executive", "reviewer", "esa_director_a1"])
def test_posts_by_readers_are_refused_and_change_nothing(setup: dict[str, Any], persona: str) -> None:
    fw, rnd = setup["fw"], setup["round"]
    client = client_for(setup["world"], persona)
    before = (Indicator.objects.count(), Target.objects.count(), fw.items.count(), rnd.due_on)
    posts = [
        (reverse("web:monitoring_indicator_new"), {"code": "x_new", "name_th": "x"}),
        (reverse("web:monitoring_indicator_revise", args=["dropout_rate"]), {"change_note": "x"}),
        (reverse("web:monitoring_indicator_retire", args=["dropout_rate"]), {"reason": "x"}),
        (
            reverse("web:monitoring_targets"),
            {"action": "set", "indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1},
        ),
        (
            reverse("web:monitoring_framework", args=[fw.pk]),
            {"action": "item_remove", "indicator_code": "enrolment"},
        ),
        (reverse("web:monitoring_framework_new"), {"fiscal_year": 2570, "from_catalogue": "on"}),
        (reverse("web:monitoring_round_edit", args=[rnd.pk]), {"due_on": "01/12/2569"}),
        (reverse("web:monitoring_platform_compute"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    upload = SimpleUploadedFile("onet.csv", ONET.encode(), content_type="text/csv")
    assert (
        client.post(
            reverse("web:monitoring_external_import"), {"dataset": "niets_onet", "file": upload}
        ).status_code
        == 403
    )
    assert (
        Indicator.objects.count(),
        Target.objects.count(),
        fw.items.count(),
        Round.objects.get(pk=rnd.pk).due_on,
    ) == before
    assert Framework.objects.count() == 1
    assert Indicator.objects.get(code="dropout_rate", is_current=True).version == 1
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.filter(object_type__startswith="monitoring.").exists()


# --- the catalogue ---------------------------------------------------------------------------


def test_the_catalogue_lists_and_filters_in_thai_and_english(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "executive")
    page = client.get(reverse("web:monitoring_catalogue")).content.decode()
    assert page.count("data-code=") == 28
    assert "อัตราการออกกลางคัน" in page
    assert 'data-testid="new-indicator"' not in page  # read-only for an executive
    reported = client.get(reverse("web:monitoring_catalogue") + "?kind=reported").content.decode()
    assert reported.count('data-kind="reported"') == 6
    assert 'data-kind="computed"' not in reported
    std1 = client.get(reverse("web:monitoring_catalogue") + "?standard=1").content.decode()
    assert 'data-code="budget_disbursement_rate"' in std1
    assert 'data-code="dropout_rate"' not in std1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("web:monitoring_catalogue")).content.decode()
    assert "Dropout rate" in english


def test_the_officer_adds_and_revises_an_indicator_through_the_forms(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    form = {
        "code": "activity_afternoons", "name_th": "ร้อยละโรงเรียนที่จัดกิจกรรมลดเวลาเรียน",
        "name_en": "Schools running activity afternoons", "definition_th": "นิยาม", "definition_en": "Definition",
        "unit": "percent", "value_type": "decimal", "direction": "higher", "domain": "learning",
        "levels": ["esa", "nation"], "standards": ["2"], "source_kind": "reported",
    }  # fmt: skip
    response = client.post(reverse("web:monitoring_indicator_new"), form)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:monitoring_indicator", args=["activity_afternoons"])
    assert Indicator.objects.get(code="activity_afternoons").levels == ["esa", "nation"]

    revise_url = reverse("web:monitoring_indicator_revise", args=["activity_afternoons"])
    page = client.get(revise_url).content.decode()
    assert 'value="ร้อยละโรงเรียนที่จัดกิจกรรมลดเวลาเรียน"' in page
    changed = {
        **form,
        "name_en": "Schools with activity afternoons",
        "change_note": "ชื่อใหม่",
        "expected_version": 1,
    }
    del changed["code"]
    assert client.post(revise_url, changed).status_code == 302
    detail = client.get(reverse("web:monitoring_indicator", args=["activity_afternoons"])).content.decode()
    assert 'data-version="2"' in detail
    assert 'data-version="1"' in detail
    assert "ชื่อใหม่" in detail
    stale = client.post(revise_url, {**changed, "name_en": "Again", "expected_version": 1})
    assert stale.status_code == 200
    assert "stale" not in stale.content.decode()
    assert "ฉบับใหม่กว่า" in stale.content.decode()
    assert Indicator.objects.filter(code="activity_afternoons").count() == 2


def test_revising_a_computed_indicator_through_the_form_keeps_its_source(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    url = reverse("web:monitoring_indicator_revise", args=["dropout_rate"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data.update(name_en="Dropout rate (UIS)", change_note="ชื่ออังกฤษตามคู่มือ UIS")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v1, v2 = Indicator.objects.filter(code="dropout_rate").order_by("version")
    assert v2.name_en == "Dropout rate (UIS)"
    assert v2.source == v1.source
    assert (v2.levels, v2.disaggregations, v2.min_value, v2.max_value) == (
        v1.levels, v1.disaggregations, v1.min_value, v1.max_value,
    )  # fmt: skip


def test_the_form_refuses_to_ask_what_the_platform_holds(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    form = {
        "code": "gpi_enrolment", "name_th": "ดัชนี", "name_en": "Index", "definition_th": "นิยาม",
        "definition_en": "Definition", "unit": "index", "value_type": "decimal", "direction": "neutral",
        "domain": "equity", "levels": ["esa"], "standards": ["3"], "source_kind": "reported",
    }  # fmt: skip
    response = client.post(reverse("web:monitoring_indicator_new"), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "รายงานครั้งเดียว" in page
    assert "report once" in page
    assert not Indicator.objects.filter(code="gpi_enrolment").exists()


def test_targets_page_sets_and_imports_with_row_errors(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    url = reverse("web:monitoring_targets")
    response = client.post(
        url,
        {
            "action": "set",
            "indicator_code": "dropout_rate",
            "fiscal_year": 2569,
            "value": "1.5",
            "peer_group": "",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get().value == 1.5
    bad = "indicator,fiscal_year,value\ndropout_rate,2569,abc\n"
    upload = SimpleUploadedFile("t.csv", bad.encode(), content_type="text/csv")
    page = client.post(url, {"action": "import", "file": upload}).content.decode()
    assert 'data-code="not_a_number"' in page
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in page
    assert Target.objects.count() == 1
    listing = client_for(setup["world"], "esa_officer_a1").get(url + "?year=2569").content.decode()
    assert "dropout_rate" in listing
    assert 'name="action" value="delete"' not in listing


# --- frameworks and rounds -------------------------------------------------------------------


def test_the_officer_sets_up_a_framework_from_the_pages(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    response = client.post(
        reverse("web:monitoring_framework_new"),
        {"fiscal_year": "2570", "from_catalogue": "on", "months": ["3", "12"]},
    )
    fw = Framework.objects.get(fiscal_year=2570)
    assert response["Location"] == reverse("web:monitoring_framework", args=[fw.pk])
    assert sorted(fw.rounds.values_list("code", flat=True)) == ["m12", "m3"]
    url = reverse("web:monitoring_framework", args=[fw.pk])
    client.post(url, {"action": "item_remove", "indicator_code": "sar_submission_rate"})
    client.post(
        url,
        {
            "action": "item_add",
            "indicator_code": "sar_submission_rate",
            "standard_code": "3",
            "required": "on",
        },
    )
    assert fw.items.get(indicator__code="sar_submission_rate").standard.code == "3"
    bad = client.post(url, {"action": "areas", "esa_codes": "11201 R01"}, follow=True).content.decode()
    assert "R01" in bad
    assert "ไม่ใช่รหัสสำนักงานเขตพื้นที่การศึกษา" in bad
    assert not TargetArea.objects.exists()
    client.post(url, {"action": "areas", "esa_codes": "11201, 15001"})
    assert set(fw.target_areas.values_list("unit__code", flat=True)) == {"11201", "15001"}
    client.post(
        url,
        {"action": "rule_add", "code": "pd_cap", "kind": "range", "severity": "warning",
         "params": '{"indicator": "teacher_pd_hours", "min": 0, "max": 200}', "message_th": "เกิน", "message_en": "Too many"},
    )  # fmt: skip
    assert fw.rules.get(code="pd_cap").params == {"indicator": "teacher_pd_hours", "min": 0.0, "max": 200.0}
    broken = client.post(
        url, {"action": "rule_add", "code": "x_rule", "kind": "range", "severity": "warning", "params": "{oops",
              "message_th": "ก", "message_en": "A"}, follow=True,
    ).content.decode()  # fmt: skip
    assert "JSON" in broken
    client.post(url, {"action": "status", "status": "active"})
    page = client.get(url).content.decode()
    assert 'data-testid="status"' in page
    assert "ใช้งาน" in page
    assert 'data-round="m3"' in page
    assert 'data-item="sar_submission_rate"' in page
    assert 'data-rule="pd_cap"' in page
    assert 'data-rule="supervision_required"' in page


def test_the_round_form_takes_buddhist_era_dates_and_explains_refusals(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    rnd = setup["round"]
    day = today()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=day - dt.timedelta(days=5),
        due_on=day + dt.timedelta(days=10),
        locks_on=day + dt.timedelta(days=30),
    )
    rnd.refresh_from_db()
    url = reverse("web:monitoring_round_edit", args=[rnd.pk])
    page = client.get(url).content.decode()
    assert format_be_input(rnd.due_on) in page
    data = {
        k: format_be_input(getattr(rnd, k))
        for k in ("period_start", "period_end", "opens_on", "due_on", "locks_on")
    }
    data.update(name_th=rnd.name_th, name_en=rnd.name_en)
    new_locks = day + dt.timedelta(days=90)
    new_due = day + dt.timedelta(days=60)
    ok = client.post(
        url, {**data, "due_on": format_be_input(new_due), "locks_on": format_be_input(new_locks)}
    )
    assert ok.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.due_on, rnd.locks_on) == (new_due, new_locks)
    wrong = client.post(
        url,
        {
            **data,
            "due_on": format_be_input(new_due),
            "locks_on": format_be_input(new_due - dt.timedelta(days=1)),
        },
    )
    assert wrong.status_code == 400
    assert 'data-code="dates_order"' in wrong.content.decode()
    ce = client.post(url, {**data, "due_on": "01/12/2026"})
    assert ce.status_code == 400
    assert "2569" in ce.content.decode()
    rnd.refresh_from_db()
    assert rnd.due_on == new_due


def test_the_framework_page_takes_a_bounded_number_of_queries(setup: dict[str, Any]) -> None:
    world, fw = setup["world"], setup["fw"]
    client = client_for(world, "me_officer")
    url = reverse("web:monitoring_framework", args=[fw.pk])
    TargetArea.objects.create(framework=fw, unit=world.esa_a1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(25):
        TargetArea.objects.create(
            framework=fw,
            unit=make_esa(f"3{n:04d}", f"สพท. ทดสอบ {n}", world.region_2, "primary", "50", n + 2),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as catalogue:
        assert client.get(reverse("web:monitoring_catalogue")).status_code == 200
    assert len(catalogue) <= 12


# --- external values -------------------------------------------------------------------------


def test_the_officer_imports_external_values_and_downloads_the_problems(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    url = reverse("web:monitoring_external_import")
    form = client.get(url).content.decode()
    assert 'value="niets_onet"' in form
    assert "onet_mean_p6" in form
    upload = SimpleUploadedFile("onet.csv", ONET.encode(), content_type="text/csv")
    page = client.post(url, {"dataset": "niets_onet", "file": upload}).content.decode()
    assert 'data-testid="committed"' in page
    assert 'data-count="created">2<' in page
    assert IndicatorValue.objects.filter(indicator="onet_mean_p6").count() == 2
    bad = ONET + "99999,onet_mean_p6,2568,40\n11201,onet_mean_p6,2568,400\n"
    upload = SimpleUploadedFile("onet-bad.csv", bad.encode(), content_type="text/csv")
    response = client.post(url, {"dataset": "niets_onet", "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="not-committed"' in page
    assert 'data-code="unit_unknown"' in page
    assert 'data-code="out_of_range"' in page
    errors = client.get(reverse("web:monitoring_external_import_errors"))
    assert errors.status_code == 200
    assert errors["Content-Disposition"] == 'attachment; filename="onet-bad-errors.csv"'
    text = errors.content.decode("utf-8-sig")
    assert "unit_unknown" in text
    assert "99999" in text
    assert IndicatorValue.objects.filter(indicator="onet_mean_p6").count() == 2
    missing = client.post(url, {"dataset": "niets_onet"})
    assert missing.status_code == 400
    assert "กรุณาเลือกไฟล์" in missing.content.decode()


def test_the_officer_recomputes_the_platform_indicators(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"], "me_officer")
    response = client.post(reverse("web:monitoring_platform_compute"), follow=True)
    assert "คำนวณแล้ว 12 ค่า" in response.content.decode()
    assert IndicatorValue.objects.filter(indicator="small_school_share").count() == 6
