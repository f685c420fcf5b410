"""Monitoring (e-MES) API views, one module per area."""
