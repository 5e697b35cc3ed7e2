"""What is wrong with a file, said so that an agency analyst knows exactly what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused (or, with ``blocking=False``, a warning about it)."""

    check: str
    message: str
    columns: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()  # data row numbers, 1 = first row after the header
    rows_affected: int = 0
    examples: tuple[str, ...] = ()
    blocking: bool = True
    fix: str = ""  # what the sender should do, in plain words
    masked: bool = False  # examples show only the first and last character (identifiers)

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "message": self.message,
            "columns": list(self.columns),
            "rows": list(self.rows),
            "rows_affected": self.rows_affected,
            "examples": list(self.examples),
            "blocking": self.blocking,
            "fix": self.fix,
            "masked": self.masked,
        }


@dataclass
class Verdict:
    """The outcome of checking one file against its contract."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    read_as: str = ""  # how the file was read, for the ledger (``reading.read_return``); empty when it was not read

    @property
    def accepted(self) -> bool:
        return not any(p.blocking for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]
