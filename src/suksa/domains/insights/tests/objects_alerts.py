"""Builders of the alert tests, and the ESA B objects of the route matrix."""

from __future__ import annotations

from typing import Any

from suksa.core.models import Notification, OrgUnit
from suksa.domains.insights.models import Alert, InsightRun
from suksa.domains.insights.models.choices import AlertKind, AlertSeverity, DataQuality
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.monitoring.models import Round
from tests.factories import World


def make_alert(
    rnd: Round,
    unit: OrgUnit,
    *,
    kind: str = AlertKind.BELOW_TARGET,
    indicator: str = "dropout_rate",
    severity: str = AlertSeverity.HIGH,
    quality: str = DataQuality.OK,
    run: InsightRun | None = None,
    **extra: Any,
) -> Alert:
    return Alert.objects.create(
        round=rnd, unit=unit, kind=kind, indicator=indicator, severity=severity, quality=quality,
        domain="flow", title_th=f"อัตราการออกกลางคันสูงกว่าค่าเป้าหมาย ({unit.code})",
        title_en=f"Dropout rate above target ({unit.code})",
        factors=[{"key": "shortfall", "label_th": "ห่างจากค่าเป้าหมาย", "label_en": "Shortfall against the target",
                  "value": 0.4, "contribution": 0.4}],
        evidence={"values": [{"unit": unit.pk, "indicator": indicator, "period": "2568", "value": 1.4,
                              "source": {"model": "core.IndicatorValue", "id": 1}}],
                  "target": {"value": 1.0, "fiscal_year": 2569}, "report": None},
        first_run=run, last_run=run, **extra,
    )  # fmt: skip


def b_alert_id(world: World) -> int:
    """An alert about ESA B in the current run of a round."""
    rnd = any_round()
    return make_alert(rnd, world.esa_b1, run=current_run(rnd)).pk


def b_notification_id(world: World) -> int:
    """A notification of ESA B's officer."""
    return Notification.objects.create(
        user=world.user("esa_officer_b1"), kind="alert", title_th="แจ้งเตือน ลับเฉพาะ", title_en="Alert",
        subject_type="insights.alert", subject_id=1,
    ).pk  # fmt: skip
