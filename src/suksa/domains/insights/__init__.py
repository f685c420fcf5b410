"""Insights: what the platform learns from the monitoring data of a round.

A *run* (:class:`~suksa.domains.insights.models.InsightRun`) computes, for one monitoring round,
every stage in order — trends, strengths and efficiency, school models (positive deviance),
lessons from narratives, outstanding-work checks and case studies, early warnings, brief drafts —
and stores each stage's results with provenance (inputs, method version, parameters). The methods
themselves are pure functions in :mod:`suksa.analytics`; this domain reads the data, calls them and
stores what they return.
"""
