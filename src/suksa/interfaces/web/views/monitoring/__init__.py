"""Monitoring (e-MES) web views, one module per area."""
