"""Serializers of API v1, one module per area (input validation and output shapes)."""
