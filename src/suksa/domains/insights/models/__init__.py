"""Insights models: runs and their results, alerts, briefs."""

from suksa.domains.insights.models.briefs import (
    Brief,
    BriefAmendment,
    BriefComment,
    BriefParticipant,
    BriefVersion,
    Endorsement,
)
from suksa.domains.insights.models.lessons import (
    CaseStudyPick,
    NarrativeDoc,
    PracticeFinding,
    Topic,
    WorkCheck,
)
from suksa.domains.insights.models.results import Efficiency, Strength, Trend
from suksa.domains.insights.models.run import InsightRun
from suksa.domains.insights.models.schools import SchoolDeviance, SchoolGroup
from suksa.domains.insights.models.warnings import Alert, AlertEvent, RiskModelFit, RiskScore

__all__ = [
    "Alert",
    "AlertEvent",
    "Brief",
    "BriefAmendment",
    "BriefComment",
    "BriefParticipant",
    "BriefVersion",
    "CaseStudyPick",
    "Efficiency",
    "Endorsement",
    "InsightRun",
    "NarrativeDoc",
    "PracticeFinding",
    "RiskModelFit",
    "RiskScore",
    "SchoolDeviance",
    "SchoolGroup",
    "Strength",
    "Topic",
    "Trend",
    "WorkCheck",
]
