"""Core models: the org tree, geography, calendars and the audit log."""

from suksa.core.models.audit import AuditEntry
from suksa.core.models.calendars import AcademicYear, CensusDate, FiscalYear, Semester
from suksa.core.models.geography import District, Province, Subdistrict
from suksa.core.models.orgunits import EsaProfile, OrgUnit, School, SizeBandRule

__all__ = [
    "AcademicYear",
    "AuditEntry",
    "CensusDate",
    "District",
    "EsaProfile",
    "FiscalYear",
    "OrgUnit",
    "Province",
    "School",
    "Semester",
    "SizeBandRule",
    "Subdistrict",
]
