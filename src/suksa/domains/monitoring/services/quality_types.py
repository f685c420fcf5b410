"""What a data-quality check of a report returns (the contract between quality, the editor and
submission)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QualityIssue:
    """One finding. ``kind``: a rule kind (range, required, required_comment, compare) or
    ``outlier_history`` | ``outlier_peers`` | ``change_33`` | ``missing_prefill`` | ``narrative``.
    A warning is answered by a comment on its value (``commented``)."""

    code: str
    kind: str
    severity: str  # "blocking" | "warning"
    message_th: str
    message_en: str
    indicator_code: str | None = None
    value_id: int | None = None
    commented: bool = False
    evidence: dict[str, object] = field(default_factory=dict)  # the numbers behind the finding


@dataclass
class QualityResult:
    issues: list[QualityIssue] = field(default_factory=list)

    @property
    def blocking(self) -> list[QualityIssue]:
        return [i for i in self.issues if i.severity == "blocking"]

    @property
    def warnings(self) -> list[QualityIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def uncommented_warnings(self) -> list[QualityIssue]:
        return [i for i in self.warnings if not i.commented]

    @property
    def can_submit(self) -> bool:
        return not self.blocking and not self.uncommented_warnings
