"""Writes of the monitoring domain: one module per concern, each write atomic, checked and audited."""
