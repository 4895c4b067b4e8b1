"""Input errors that name the file, row, column and rule that was broken."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule in the input.

    ``row`` counts as in the file: the header is row 1, the first data row is
    row 2. It is None for problems of a whole file or of the manifest.
    """

    file: str
    row: int | None
    column: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.rule}"


class InstanceError(ValueError):
    """An instance (or plan) that breaks the input rules; nothing is solved.

    ``problems`` lists every problem found; ``file``, ``row``, ``column`` and
    ``rule`` are those of the first.
    """

    MAX_SHOWN = 25

    def __init__(self, problems: list[Problem] | Problem, *, what: str = "invalid instance"):
        """``what`` heads the message ("invalid plan", "cannot import parks.gpkg")."""
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("InstanceError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        lines = [str(p) for p in self.problems[: self.MAX_SHOWN]]
        if len(self.problems) > self.MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - self.MAX_SHOWN} more problems")
        head = what if len(self.problems) == 1 else f"{what} ({len(self.problems)} problems)"
        super().__init__(head + ":\n  " + "\n  ".join(lines))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def row(self) -> int | None:
        return self.problems[0].row

    @property
    def column(self) -> str | None:
        return self.problems[0].column

    @property
    def rule(self) -> str:
        return self.problems[0].rule
