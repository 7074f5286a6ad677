"""Import problems: where (file, physical line, column) and what."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an input file.

    `line` is the physical line in the file (the header is line 1), None for a problem of the
    whole file; `column` is the CSV column (None when the problem is not about one column).
    `str(problem)` is `file:line:column: message`, leaving out a part that is None.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(str(self.line))
        if self.column is not None:
            where.append(self.column)
        return f"{':'.join(where)}: {self.message}"


class ImportValidationError(ValueError):
    """The input is invalid; nothing was written. `.problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{shown}{tail}")
