"""Monitoring domain models (split by concern; import from here)."""

from suksa.domains.monitoring.models.catalogue import Indicator, PolicyPoint, Standard, Target
from suksa.domains.monitoring.models.framework import (
    Framework,
    FrameworkIndicator,
    NarrativeSection,
    Round,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.models.report import (
    MAX_WORKS,
    DataProblem,
    EvidenceFile,
    NarrativeEntry,
    OutstandingWork,
    Reminder,
    Report,
    ReportEditTime,
    ReportValue,
)
from suksa.domains.monitoring.models.review import RUBRIC, Amendment, ItemComment, Review, StandardScore

__all__ = [
    "MAX_WORKS",
    "RUBRIC",
    "Amendment",
    "DataProblem",
    "EvidenceFile",
    "Framework",
    "FrameworkIndicator",
    "Indicator",
    "ItemComment",
    "NarrativeEntry",
    "NarrativeSection",
    "OutstandingWork",
    "PolicyPoint",
    "Reminder",
    "Report",
    "ReportEditTime",
    "ReportValue",
    "Review",
    "Round",
    "Standard",
    "StandardScore",
    "Target",
    "TargetArea",
    "ValidationRule",
]
