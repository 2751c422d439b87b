"""The one error type of the experiment stage: a file that does not parse, with where and why."""

from __future__ import annotations

from pathlib import Path

from superionic.records import Rejection


class DataFileError(ValueError):
    """A measurement file that cannot be used: names the file, the 1-based line (when one line is
    to blame) and the problem. ``rejection`` gives the same as a :class:`Rejection` record."""

    def __init__(self, file: str | Path, reason: str, row: int | None = None) -> None:
        self.file = str(file)
        self.row = row
        self.reason = reason
        super().__init__(str(self.rejection))

    @property
    def rejection(self) -> Rejection:
        return Rejection(file=self.file, row=self.row, reason=self.reason)
