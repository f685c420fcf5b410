"""Imports every stage module so that each registers itself with the run (and the job kind).

Order of the run (``order`` of each stage): 10 trends · 20 strengths · 25 efficiency ·
30 deviance (school models) · 40 lessons (narratives) · 50 cases (work checks, case studies) ·
60 warnings (rules, risk model, alerts) · 70 briefs (drafts).
"""

# Each stage module registers itself with @run.stage when imported; a module is added here when it
# exists.
from suksa.domains.insights.services import (
    briefs,  # noqa: F401
    cases,  # noqa: F401
    deviance,  # noqa: F401
    lessons,  # noqa: F401
    run,  # noqa: F401  (registers the job kind)
    strengths,  # noqa: F401
    trends,  # noqa: F401
    warnings,  # noqa: F401
)
