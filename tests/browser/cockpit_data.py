"""The tiny demo nation with its cockpit computed, built once for the cockpit browser tests.

A live-server test normally gets a transactional database that is flushed after it, and the tiny
demo nation with its whole insights run (the ``cockpit`` stage included) takes ~15 s to build. The
cockpit browser tests therefore build it once per module (:func:`build`), serve it with their own
live server, and afterwards empty the database as a transactional test would (:func:`empty`),
then reload what the migrations seed so that later tests find the geography and the catalogue.

What is built is what ``make run`` shows at tiny scale — 9 ESAs, 59 schools, six fiscal years of
monitoring, the open round's insights run — plus one national brief published by the demo's M&E
officer, so that the overview has a latest brief to show.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from suksa.core.models import OrgUnit
from suksa.demo.data import HOME_ESA_CODE, OTHER_ESA_CODE
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.domains.cockpit.models import Summary
from suksa.domains.cockpit.tests.conftest import build_cockpit_tiny
from suksa.domains.insights.models import Brief, InsightRun
from suksa.domains.insights.services.briefs import brief_publish, latest_version
from suksa.domains.monitoring.models import Indicator, Round, Standard, ValidationRule
from suksa.domains.monitoring.seed import catalogue_seed
from tests.factories import ensure_reference_data

_AUDIT_GUARD = importlib.import_module("suksa.core.migrations.0002_reference_data_and_audit_guard")
_SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]


@dataclass(frozen=True)
class CockpitNation:
    round: Round  # FY 2569, 12 months: the open round the cockpit shows
    run: InsightRun
    summary: Summary
    brief: Brief  # the national brief published by the M&E officer
    home_esa: OrgUnit  # the ESA director's ESA (สพป.นนทบุรี เขต 1)
    other_esa: OrgUnit  # another region's ESA (สพป.เลย เขต 1)
    seconds: float  # how long building took


def seed_reference_data() -> None:
    """What the migrations load, reloaded when an earlier transactional test flushed it."""
    ensure_reference_data()
    if not Indicator.objects.exists():
        catalogue_seed(Standard, Indicator, ValidationRule)


def publish_first_traceable_brief() -> Brief:
    """Publish (as the demo's national M&E officer) the first national draft whose numbers trace."""
    officer = actor_for(User.objects.get(username="me_officer"))
    for brief in Brief.objects.order_by("topic"):
        version = latest_version(brief)
        if version is not None and version.trace_ok:
            return brief_publish(actor=officer, brief_id=brief.pk)
    raise AssertionError("the insights run wrote no brief whose numbers trace")


def build(data_dir: Path) -> CockpitNation:
    started = time.perf_counter()
    seed_reference_data()
    tiny = build_cockpit_tiny(data_dir)
    brief = publish_first_traceable_brief()
    return CockpitNation(
        round=tiny.round,
        run=tiny.run,
        summary=tiny.summary,
        brief=brief,
        home_esa=OrgUnit.objects.get(code=HOME_ESA_CODE),
        other_esa=OrgUnit.objects.get(code=OTHER_ESA_CODE),
        seconds=time.perf_counter() - started,
    )


def empty() -> None:
    """Flush the database as a transactional test does, then reload the migrations' seed data.

    SQLite's append-only audit trigger refuses the DELETE that flushing issues (PostgreSQL
    truncates, which the trigger ignores): it is lifted for the flush and put back after.
    """
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            for sql in _SQLITE_UNGUARD:
                cursor.execute(sql)
    try:
        call_command("flush", verbosity=0, interactive=False)
    finally:
        if sqlite:
            with connection.cursor() as cursor:
                for sql in _AUDIT_GUARD.SQLITE_GUARD:
                    cursor.execute(sql)
    seed_reference_data()
