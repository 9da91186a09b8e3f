"""What every importer returns: the records it could read and a report of what it could not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from knowledge.schema import FAQ, GuideDocument, Procedure

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing an importer could not parse. `record` names the record (code, line, row)."""

    source: str
    record: str
    reason: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "record": self.record,
            "reason": self.reason,
            "severity": self.severity,
        }


@dataclass
class ImportResult:
    """Records read from one source. Errors are records skipped; warnings are records kept
    with something missing or doubtful."""

    source: str
    format: str
    procedures: list[Procedure] = field(default_factory=list)
    faqs: list[FAQ] = field(default_factory=list)
    documents: list[GuideDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def error(self, record: str, reason: str) -> None:
        self.problems.append(Problem(self.source, record, reason, "error"))

    def warn(self, record: str, reason: str) -> None:
        self.problems.append(Problem(self.source, record, reason, "warning"))

    @property
    def failed(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")
