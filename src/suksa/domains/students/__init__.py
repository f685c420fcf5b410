"""Students (SMS): the registry, enrolment, transfers, attendance and census rounds.

A student is entered once at the school; census counts and the standard indicators are derived
from these records, certified, and flow upward without re-keying.
"""
