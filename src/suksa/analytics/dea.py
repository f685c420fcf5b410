"""Data envelopment analysis (DEA): input-oriented CCR and BCC efficiency with peer references.

For each unit *o* the envelopment linear programme (Charnes, Cooper & Rhodes 1978; Banker,
Charnes & Cooper 1984) is

    minimise θ  subject to  Σⱼ λⱼ xᵢⱼ ≤ θ xᵢₒ (every input i),  Σⱼ λⱼ yᵣⱼ ≥ yᵣₒ (every output r),
    λ ≥ 0,  and for BCC (variable returns to scale) Σⱼ λⱼ = 1,

solved with ``scipy.optimize.linprog`` (HiGHS). θ = 1 means no combination of other units
produces at least the unit's outputs with proportionally fewer inputs; θ = 0.8 means one does with
80 % of them. The *reference set* (peers) is the units with λⱼ > 0, their λ the weights. A second
phase (θ fixed) maximises the total slack, so a unit with θ = 1 but a slack is reported as only
weakly efficient (``efficient`` is False). *Scale efficiency* = CCR θ / BCC θ (1 = the unit
works at its most productive scale).

Bad data are set aside, each with its reason, before any programme is solved: a missing or
non-finite value (``missing``), an input ≤ 0 (``non_positive_input``: a unit using no resource
would make every other unit look wasteful), a negative output (``negative_output``), all outputs
0 (``zero_outputs``). Fewer than two usable units: nothing is computed (``too_few_units``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

TOL = 1e-7  # λ below this is not a peer; θ within this of 1 counts as 1
MODELS = ("ccr", "bcc")


@dataclass(frozen=True)
class DeaUnit:
    key: int
    score: float
    efficient: bool  # θ = 1 and every slack 0 (Pareto–Koopmans efficient)
    lambdas: Mapping[int, float]  # the reference set: peer -> weight
    input_slacks: tuple[float, ...]
    output_slacks: tuple[float, ...]
    inputs: tuple[float, ...]
    outputs: tuple[float, ...]

    @property
    def peers(self) -> list[int]:
        return sorted(self.lambdas, key=lambda k: (-self.lambdas[k], k))


@dataclass(frozen=True)
class DeaResult:
    model: str  # ccr | bcc
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    units: Mapping[int, DeaUnit]
    excluded: Mapping[int, str] = field(default_factory=dict)  # unit -> reason
    status: str = "ok"  # ok | too_few_units


def _reason(x: Sequence[float | None], y: Sequence[float | None]) -> str | None:
    if any(v is None or not math.isfinite(v) for v in (*x, *y)):
        return "missing"
    if any(v <= 0 for v in x):  # type: ignore[operator]
        return "non_positive_input"
    if any(v < 0 for v in y):  # type: ignore[operator]
        return "negative_output"
    if all(v == 0 for v in y):
        return "zero_outputs"
    return None


def dea(
    data: Mapping[int, tuple[Sequence[float | None], Sequence[float | None]]],
    *,
    model: str = "ccr",
    input_names: Sequence[str] = (),
    output_names: Sequence[str] = (),
) -> DeaResult:
    """Input-oriented DEA of every unit. ``data``: unit -> (inputs, outputs), same lengths for all."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    excluded: dict[int, str] = {}
    keys: list[int] = []
    for key in sorted(data):
        why = _reason(*data[key])
        if why:
            excluded[key] = why
        else:
            keys.append(key)
    names_in, names_out = tuple(input_names), tuple(output_names)
    if len(keys) < 2:
        return DeaResult(model, names_in, names_out, {}, excluded, "too_few_units")
    x = np.array([[float(v) for v in data[k][0]] for k in keys])  # type: ignore[arg-type]
    y = np.array([[float(v) for v in data[k][1]] for k in keys])  # type: ignore[arg-type]
    units = {k: _solve(i, keys, x, y, model) for i, k in enumerate(keys)}
    return DeaResult(model, names_in, names_out, units, excluded)


def _solve(o: int, keys: list[int], x: np.ndarray, y: np.ndarray, model: str) -> DeaUnit:
    n, m = x.shape
    s = y.shape[1]
    # Phase 1: variables [θ, λ1..λn].
    c = np.zeros(n + 1)
    c[0] = 1.0
    a_in = np.hstack([-x[o][:, None], x.T])  # Σ λ x − θ x_o ≤ 0
    a_out = np.hstack([np.zeros((s, 1)), -y.T])  # −Σ λ y ≤ −y_o
    a_ub = np.vstack([a_in, a_out])
    b_ub = np.concatenate([np.zeros(m), -y[o]])
    a_eq = np.hstack([[0.0], np.ones(n)])[None, :] if model == "bcc" else None
    b_eq = np.array([1.0]) if model == "bcc" else None
    bounds = [(0.0, None)] * (n + 1)
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - the unit itself is always feasible (θ = 1, λ_o = 1)
        raise RuntimeError(f"DEA programme failed for unit {keys[o]}: {res.message}")
    theta = float(min(1.0, res.x[0]))
    # Phase 2: θ fixed, maximise the slacks. Variables [λ (n), s⁻ (m), s⁺ (s)].
    c2 = np.concatenate([np.zeros(n), -np.ones(m + s)])
    eq_in = np.hstack([x.T, np.eye(m), np.zeros((m, s))])  # Σ λ x + s⁻ = θ x_o
    eq_out = np.hstack([y.T, np.zeros((s, m)), -np.eye(s)])  # Σ λ y − s⁺ = y_o
    rows = [eq_in, eq_out]
    rhs = [theta * x[o], y[o]]
    if model == "bcc":
        rows.append(np.concatenate([np.ones(n), np.zeros(m + s)])[None, :])
        rhs.append(np.array([1.0]))
    res2 = linprog(c2, A_eq=np.vstack(rows), b_eq=np.concatenate(rhs), bounds=[(0.0, None)] * (n + m + s), method="highs")  # fmt: skip
    if res2.status == 0:
        lam = res2.x[:n]
        slack_in = res2.x[n : n + m]
        slack_out = res2.x[n + m :]
    else:  # pragma: no cover - numerical corner: keep phase 1's λ without slacks
        lam, slack_in, slack_out = res.x[1:], np.zeros(m), np.zeros(s)
    scale_in = np.maximum(np.abs(x[o]), 1.0)
    scale_out = np.maximum(np.abs(y[o]), 1.0)
    slack_in = np.where(slack_in / scale_in > 1e-6, slack_in, 0.0)
    slack_out = np.where(slack_out / scale_out > 1e-6, slack_out, 0.0)
    score = 1.0 if theta > 1 - TOL else theta
    return DeaUnit(
        key=keys[o],
        score=round(score, 6),
        efficient=score == 1.0 and not slack_in.any() and not slack_out.any(),
        lambdas={keys[j]: round(float(v), 6) for j, v in enumerate(lam) if v > TOL},
        input_slacks=tuple(round(float(v), 6) for v in slack_in),
        output_slacks=tuple(round(float(v), 6) for v in slack_out),
        inputs=tuple(float(v) for v in x[o]),
        outputs=tuple(float(v) for v in y[o]),
    )


def scale_efficiency(ccr: DeaResult, bcc: DeaResult) -> dict[int, float]:
    """CCR θ / BCC θ per unit present in both."""
    return {
        k: round(u.score / bcc.units[k].score, 6)
        for k, u in ccr.units.items()
        if k in bcc.units and bcc.units[k].score > 0
    }
