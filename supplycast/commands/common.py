"""Helpers shared by the command shells: input problems, report them and exit, one line of an
error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import typer


class CommandInputError(Exception):
    """Problems found by a shell before or while calling a core; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def fail(problems: Iterable[str], *, code: int = 1, prefix: str = "") -> NoReturn:
    """Print each problem (after `prefix`) on stderr, then exit with `code`."""
    for problem in problems:
        typer.echo(f"{prefix}{problem}", err=True)
    raise typer.Exit(code=code)


def first_line(exc: BaseException, fallback: str | None = None) -> str:
    """The first line of `exc`'s message; for an empty message `fallback`, else its type name."""
    text = str(exc).strip()
    if text:
        return text.splitlines()[0]
    return type(exc).__name__ if fallback is None else fallback
