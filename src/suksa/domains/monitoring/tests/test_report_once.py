"""Report once (issue 4, item 6): a field the platform already holds is never asked of an ESA.

The first test enumerates the whole catalogue and every framework item and fails if any asked
(reported) field names a figure the platform holds; the others prove the catalogue service refuses
to create one.
"""

from __future__ import annotations

import pytest

from suksa.core.errors import InvalidInput
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.held import held_names, platform_held_codes
from suksa.domains.monitoring.models import FrameworkIndicator, Indicator
from suksa.domains.monitoring.models.choices import SourceKind
from suksa.domains.monitoring.services.catalogue import indicator_create, indicator_revise
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.services.platform_indicators import CODES as PLATFORM_CODES
from suksa.domains.monitoring.tests.factories import make_framework, put_value
from suksa.domains.students.services.indicators import CODES as STUDENT_CODES
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_no_asked_field_of_the_catalogue_or_any_framework_is_held_by_the_platform() -> None:
    ensure_catalogue()
    make_framework(2569)
    make_framework(2570, months=(3, 6, 9, 12))
    held = platform_held_codes()
    # The registry knows every producer and every source the catalogue names.
    assert set(STUDENT_CODES) <= held
    assert set(PLATFORM_CODES) <= held
    for ind in Indicator.objects.filter(is_current=True).exclude(source_kind=SourceKind.REPORTED):
        assert ind.source["indicator"] in held, ind.code

    asked = list(Indicator.objects.filter(is_current=True, source_kind=SourceKind.REPORTED))
    items = list(
        FrameworkIndicator.objects.select_related("indicator", "framework").filter(
            indicator__source_kind=SourceKind.REPORTED
        )
    )
    assert asked
    assert items
    offenders = [f"catalogue {i.code} v{i.version}" for i in asked if held_names(i.code, i.source, held)] + [
        f"framework FY{it.framework.fiscal_year} {it.indicator.code} v{it.indicator.version}"
        for it in items
        if held_names(it.indicator.code, it.indicator.source, held)
    ]
    assert offenders == [], "asked although the platform holds it: " + ", ".join(offenders)


@pytest.mark.parametrize(
    ("code", "source"),
    [
        ("gpi_enrolment", {}),  # the students producer computes it (not even in the catalogue)
        ("small_school_share_reported", {"indicator": "small_school_share"}),  # its source names one
        ("onet_mean_m6", {}),  # exists as imported: the code is taken and held
    ],
)
def test_creating_a_reported_indicator_the_platform_holds_is_refused(
    world: World, code: str, source: dict[str, str]
) -> None:
    ensure_catalogue()
    before = Indicator.objects.count()
    fields = {
        "name_th": "ตัวชี้วัดทดลอง", "name_en": "Trial indicator", "definition_th": "นิยาม", "definition_en": "Definition",
        "unit": "percent", "direction": "higher", "domain": "access", "source_kind": "reported",
        "levels": ["esa"], "standards": ["3"], "source": source,
    }  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=actor_for(world.user("me_officer")), code=code, fields=fields)
    codes = {p.code for p in exc.value.problems}
    assert codes & {"asked_but_held", "code_exists"}
    if code != "onet_mean_m6":
        problem = next(p for p in exc.value.problems if p.code == "asked_but_held")
        assert "รายงานครั้งเดียว" in problem.th
        assert "report once" in problem.en
    assert Indicator.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="monitoring.indicator").exists()


def test_a_figure_stored_by_any_producer_becomes_held(world: World) -> None:
    ensure_catalogue()
    put_value(world.esa_a1, "school_lunch_coverage", "2568", 0.97, producer="academics.indicators")
    assert "school_lunch_coverage" in platform_held_codes()
    fields = {
        "name_th": "ร้อยละอาหารกลางวัน", "name_en": "School lunch coverage", "definition_th": "นิยาม",
        "definition_en": "Definition", "unit": "percent", "direction": "higher", "domain": "equity",
        "source_kind": "reported", "levels": ["esa"], "standards": ["3"],
    }  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        indicator_create(
            actor=actor_for(world.user("me_officer")), code="school_lunch_coverage", fields=fields
        )
    assert [p.code for p in exc.value.problems] == ["asked_but_held"]
    assert not Indicator.objects.filter(code="school_lunch_coverage").exists()


def test_revising_a_held_figure_into_an_asked_one_is_refused(world: World) -> None:
    ensure_catalogue()
    me = actor_for(world.user("me_officer"))
    for code in ("dropout_rate", "onet_mean_p6", "small_school_share"):
        with pytest.raises(InvalidInput) as exc:
            indicator_revise(
                actor=me, code=code, changes={"source_kind": "reported"}, change_note="ask the ESAs"
            )
        assert [p.code for p in exc.value.problems] == ["asked_but_held"], code
        assert Indicator.objects.get(code=code, is_current=True).version == 1
    # What the platform cannot know stays askable, and can move to a platform source later.
    v2 = indicator_revise(
        actor=me,
        code="supervision_coverage",
        changes={"name_en": "Schools supervised at least once"},
        change_note="wording",
    )
    assert (v2.version, v2.source_kind) == (2, SourceKind.REPORTED)
