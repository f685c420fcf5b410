"""Core models: the org tree, geography, calendars, the audit log, indicator values and jobs."""

from suksa.core.models.audit import AuditEntry
from suksa.core.models.calendars import AcademicYear, CensusDate, FiscalYear, Semester
from suksa.core.models.geography import District, Province, Subdistrict
from suksa.core.models.indicators import IndicatorRun, IndicatorValue
from suksa.core.models.jobs import Job
from suksa.core.models.notifications import Notification
from suksa.core.models.orgunits import EsaProfile, OrgUnit, School, SizeBandRule

__all__ = [
    "AcademicYear",
    "AuditEntry",
    "CensusDate",
    "District",
    "EsaProfile",
    "FiscalYear",
    "IndicatorRun",
    "IndicatorValue",
    "Job",
    "Notification",
    "OrgUnit",
    "Province",
    "School",
    "Semester",
    "SizeBandRule",
    "Subdistrict",
]
