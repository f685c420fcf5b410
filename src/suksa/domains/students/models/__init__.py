"""Students domain models (split by concern; import from here)."""

from suksa.domains.students.models.attendance import AttendanceMark, SchoolClosure
from suksa.domains.students.models.census import CensusAmendment, CensusCount, CensusReturn, CensusRound
from suksa.domains.students.models.enrolment import Classroom, Enrolment, Transfer, YearEndBatch
from suksa.domains.students.models.registry import DuplicateClaim, Guardian, Student, StudentSensitive

__all__ = [
    "AttendanceMark",
    "CensusAmendment",
    "CensusCount",
    "CensusReturn",
    "CensusRound",
    "Classroom",
    "DuplicateClaim",
    "Enrolment",
    "Guardian",
    "SchoolClosure",
    "Student",
    "StudentSensitive",
    "Transfer",
    "YearEndBatch",
]
