"""The result type every indicator returns: a value together with what it was computed from.

Indicator values are stored with provenance and shown in briefs whose numbers must be traceable, so
a bare float is never enough: a Rate keeps its numerator, denominator, a short formula and the named
inputs it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Recorded with every stored indicator value; bump it when any formula here changes meaning.
FORMULA_VERSION = "uis-2026.1"


@dataclass(frozen=True)
class Rate:
    """A ratio with its provenance.

    ``value`` is ``numerator / denominator``. It is None when the ratio is undefined: the denominator
    is 0, a required input is missing (the formula says which) or the rate was suppressed for
    privacy (``suppressed`` is then True). Values are never clamped: a rate outside [0, 1] means the
    inputs disagree, and the caller should see that.

    ``inputs`` names the counts used, e.g. ``{"E[P1,t]": 120, "R[P1,t+1]": 6}``.
    """

    value: float | None
    numerator: float
    denominator: float
    formula: str
    inputs: Mapping[str, float] = field(default_factory=dict, hash=False)
    suppressed: bool = False

    @classmethod
    def of(
        cls, numerator: float, denominator: float, formula: str, inputs: Mapping[str, float] | None = None
    ) -> Rate:
        value = numerator / denominator if denominator != 0 else None
        return cls(value, numerator, denominator, formula, dict(inputs or {}))

    @classmethod
    def undefined(
        cls, numerator: float, denominator: float, formula: str, inputs: Mapping[str, float] | None = None
    ) -> Rate:
        return cls(None, numerator, denominator, formula, dict(inputs or {}))


def check_count(name: str, n: float) -> None:
    """Counts come from SQL aggregates; a negative one is a bug upstream, so fail loudly."""
    if n < 0:
        raise ValueError(f"{name} must not be negative, got {n}")
