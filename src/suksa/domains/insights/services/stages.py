"""Imports every stage module so that each registers itself with the run (and the job kind).

Order of the run (``order`` of each stage): 10 trends · 20 strengths · 25 efficiency ·
30 deviance (school models) · 40 lessons (narratives) · 50 cases (work checks, case studies) ·
60 warnings (rules, risk model, alerts) · 70 briefs (drafts).
"""

from suksa.domains.insights.services import run  # noqa: F401  (registers the job kind)

# Each stage module registers itself with @run.stage when imported; a module is added here when it
# exists.
