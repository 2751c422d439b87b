"""Typed errors for bad user input: one policy, raised by the library, reported by the CLI.

Library code raises a :class:`UserInputError` subclass that says what is wrong in the caller's
terms: the *parameter* at fault (``thickness_mm``, not ``--thickness-mm``), the file, the row and
the value. The CLI's single wrapper (:func:`superionic.cli.main`) turns any of them into one JSON
object ``{"error": ..., "kind": ..., "option": ..., "file": ..., "row": ..., "value": ...}`` on
stdout and exit code 2. Anything else that escapes a command is a bug: it keeps its traceback
and exit code 1.

Every class derives from :class:`ValueError`, so a batch that catches ``ValueError`` per row
still records the row and goes on.

The policy table (what is refused, what is warned) is docs/errors.md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

__all__ = [
    "BadFile",
    "BadPath",
    "BadURL",
    "BadValue",
    "Implausible",
    "UserInputError",
    "check_finite",
    "check_positive",
    "option_flag",
]


def option_flag(parameter: str) -> str:
    """The CLI flag of a Python parameter as Typer spells it: ``thickness_mm`` -> ``--thickness-mm``."""
    if parameter.startswith("-"):
        return parameter
    return "--" + parameter.replace("_", "-")


class UserInputError(ValueError):
    """Bad input from the user; ``kind`` names the family, the fields say where.

    ``option``: the parameter at fault (a Python name, or a CLI flag when the CLI raises it);
    ``file``/``row``: where in a user's file (rows count from 1, the CSV data row or the line);
    ``value``: the offending value as the user gave it.
    """

    kind = "bad input"

    def __init__(
        self,
        message: str,
        *,
        option: str | None = None,
        file: str | Path | None = None,
        row: int | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.option = option
        self.file = str(file) if file is not None else None
        self.row = row
        self.value = value

    def __str__(self) -> str:
        return self.message

    def to_dict(self, cli: bool = False) -> dict[str, Any]:
        """``{"error", "kind"}`` plus whichever of option/file/row/value are known.

        ``cli``: for the CLI's JSON (the same keys today; the option stays the parameter's name).
        """
        out: dict[str, Any] = {"error": self.message, "kind": self.kind}
        if self.option is not None:
            out["option"] = self.option
        if self.file is not None:
            out["file"] = self.file
        if self.row is not None:
            out["row"] = self.row
        if self.value is not None:
            out["value"] = self.value if isinstance(self.value, int | float | str | bool) else str(
                self.value
            )
        return out


class BadValue(UserInputError):
    """A value out of range or of the wrong form (a formula, a number, a choice)."""

    kind = "bad value"


class Implausible(BadValue):
    """A value that is possible to type but physically implausible; ``force=True`` proceeds."""

    kind = "implausible"


class BadFile(UserInputError):
    """A file that exists but is not what it should be (not a CSV, a CIF, a label file ...)."""

    kind = "bad file"


class BadPath(UserInputError):
    """A path that cannot be used as asked (missing, a file where a folder is needed, read-only)."""

    kind = "bad path"


class BadURL(UserInputError):
    """A database URL that is malformed, of an unknown dialect, read-only, or not a database."""

    kind = "bad url"


def check_finite(value: float, option: str, what: str = "") -> float:
    """``float(value)``, or :class:`BadValue` naming ``option`` when it is NaN or infinite."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{option} must be a number, got {value!r}", option=option,
                       value=str(value)) from None
    if not math.isfinite(x):
        raise BadValue(f"{option}{' ' + what if what else ''} must be finite, got {value!r}",
                       option=option, value=str(value))
    return x


def check_positive(value: float, option: str, allow_zero: bool = False) -> float:
    """``float(value)`` if finite and > 0 (>= 0 with ``allow_zero``), else :class:`BadValue`."""
    x = check_finite(value, option)
    if x < 0 or (x == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise BadValue(f"{option} must be {bound}, got {value!r}", option=option, value=x)
    return x
