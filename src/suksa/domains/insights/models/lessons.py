"""Lessons from narratives: the text index, topics, practices linked to measured change, checks of
each ESA's nominated outstanding works, and the case-study shortlist.

Personal data: none by design (narratives describe an office's work; a person's name typed into a
narrative stays in the monitoring report and is not copied into keywords or lessons — the index
keeps tokens and vectors of the text, which are deleted with the run). Retention: with the run.
"""

from __future__ import annotations

from django.db import models

from suksa.domains.insights.models.choices import ClaimVerdict, DataQuality
from suksa.domains.insights.models.run import InsightRun


class Topic(models.Model):
    """A topic group of narratives (clusters of the round's texts) with its top keywords.

    Personal data: none by design (texts about an office's work). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="topics")
    number = models.PositiveSmallIntegerField()
    keywords = models.JSONField(default=list)  # [[term, weight], …]
    label_th = models.CharField(max_length=255)
    label_en = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="topic_unique")]

    def __str__(self) -> str:
        return f"topic {self.number}: {self.label_th}"


class NarrativeDoc(models.Model):
    """One narrative (or outstanding work) of an ESA as the text index sees it.

    ``vector`` is the document embedding (float32 little-endian bytes; ``vector_kind`` says which
    model: ``embedding:<name>`` or ``tfidf``); ``practices`` the practice keys found in it.

    Personal data: none by design (texts about an office's work). Retention: kept with its run.
    """

    class Source(models.TextChoices):
        NARRATIVE = "narrative", "บรรยายผลการดำเนินงาน / Narrative"
        WORK = "work", "ผลงานที่ประสบความสำเร็จ / Outstanding work"

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="narrative_docs")
    esa = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("monitoring.Report", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    narrative = models.ForeignKey(
        "monitoring.NarrativeEntry", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    work = models.ForeignKey(
        "monitoring.OutstandingWork", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    round_key = models.CharField(max_length=12)  # e.g. "2569/m12"
    keywords = models.JSONField(default=list, blank=True)
    practices = models.JSONField(default=list, blank=True)
    schools = models.JSONField(default=list, blank=True)  # school codes named in the text
    topic = models.PositiveSmallIntegerField(null=True, blank=True)
    vector = models.BinaryField(null=True, blank=True)
    vector_kind = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "esa"], name="narrdoc_run_esa")]

    def __str__(self) -> str:
        return f"doc {self.source}@{self.esa_id} {self.round_key}"


class PracticeFinding(models.Model):
    """A practice named in narratives, linked (or not) to measured change.

    ``effects`` per indicator: ``{code: {"adopters": n, "others": n, "difference": slope difference
    per year, "low": …, "high": …, "p_value": …, "good": bool}}``; ``verdict`` says whether any
    linked change is credible (``linked``), none is (``no_change``) or the data are too few.

    Personal data: none by design (texts about an office's work). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="practices")
    key = models.CharField(max_length=60)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True)
    esa_count = models.PositiveIntegerField(default=0)  # ESAs naming it
    mention_count = models.PositiveIntegerField(default=0)
    effects = models.JSONField(default=dict, blank=True)
    verdict = models.CharField(max_length=12)  # linked | no_change | too_few
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)  # example docs: [{doc_id, esa, excerpt}]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="practice_unique")]

    def __str__(self) -> str:
        return f"practice {self.key} {self.verdict}"


class WorkCheck(models.Model):
    """One nominated outstanding work cross-checked against the ESA's numbers.

    Personal data: none by design (texts about an office's work). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="work_checks")
    work = models.ForeignKey("monitoring.OutstandingWork", on_delete=models.CASCADE, related_name="+")
    esa = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=12, choices=ClaimVerdict.choices)
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)
    # Per claimed indicator / school: what the numbers say ({code, trend_id, direction, good, …}).
    reasons = models.JSONField(default=list, blank=True)
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "work"], name="workcheck_unique")]
        indexes = [models.Index(fields=["run", "esa"], name="workcheck_run_esa")]

    def __str__(self) -> str:
        return f"check work {self.work_id} {self.verdict}"


class CaseStudyPick(models.Model):
    """A shortlisted case study among the round's target areas, with why it was picked.

    Personal data: none by design (texts about an office's work). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="case_studies")
    esa = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    theme = models.CharField(max_length=60, blank=True)  # a domain, practice or school model key
    reason_th = models.TextField()
    reason_en = models.TextField()
    # What supports the pick: strengths, trends, deviant schools, supported works, docs.
    evidence = models.JSONField(default=dict, blank=True)
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "esa"], name="casestudy_unique")]
        ordering = ["run", "rank"]

    def __str__(self) -> str:
        return f"case #{self.rank} {self.esa_id}"
