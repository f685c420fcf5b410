"""Errors that carry a Thai and an English message and say where the problem is.

Every import, form and API call reports bad input through these, so that a user always learns
*where* (file, row, column, field) and *why*, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, in Thai and English, with its location."""

    code: str
    th: str
    en: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    file: str | None = None

    def where_th(self) -> str:
        parts = []
        if self.file:
            parts.append(f"ไฟล์ {self.file}")
        if self.row is not None:
            parts.append(f"แถว {self.row}")
        if self.column:
            parts.append(f"คอลัมน์ {self.column}")
        elif self.field:
            parts.append(f"ช่อง {self.field}")
        return " ".join(parts)

    def where_en(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        elif self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def message(self, language: str = "th") -> str:
        where, text = (self.where_th(), self.th) if language == "th" else (self.where_en(), self.en)
        return f"{where}: {text}" if where else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "row": self.row,
            "column": self.column,
            "file": self.file,
            "message_th": self.message("th"),
            "message_en": self.message("en"),
        }

    def located(self, **where: Any) -> Problem:
        values = {**self.__dict__, **where}
        return Problem(**values)


@dataclass
class SuksaError(Exception):
    """Base for domain errors: a list of problems, each bilingual."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary("en"))

    @classmethod
    def single(cls, code: str, th: str, en: str, **where: Any) -> SuksaError:
        return cls([Problem(code=code, th=th, en=en, **where)])

    def summary(self, language: str = "en") -> str:
        return "; ".join(p.message(language) for p in self.problems)

    def __str__(self) -> str:
        return self.summary("en")


class InvalidInput(SuksaError):
    """The input is malformed or violates a rule; nothing was written."""


class Conflict(SuksaError):
    """Someone else changed the object since the actor read it (optimistic locking); nothing was
    written. ``current`` may carry the newer state for the caller to show."""

    current: Any = None


class NotFoundOrNoAccess(SuksaError):
    """The object does not exist *or* the actor may not see it: deliberately indistinguishable."""

    @classmethod
    def default(cls) -> NotFoundOrNoAccess:
        return cls([Problem(code="not_found", th="ไม่พบข้อมูลที่ขอ", en="Not found")])


class PermissionDenied(SuksaError):
    """The actor can see the object but may not perform this action on it."""

    @classmethod
    def default(cls) -> PermissionDenied:
        return cls([Problem(code="forbidden", th="คุณไม่มีสิทธิ์ทำรายการนี้", en="You may not perform this action")])
