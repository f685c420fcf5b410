"""Shared kernel: org tree and scopes, calendars, identifiers, audit log, permission policy.

Imports no domain, interface or demo code (checked by import-linter).
"""
