"""Helpers shared by the CLI modules: JSON output on stdout, logs on stderr, clean errors."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from superionic.records import jsonable

#: Human-readable output and progress go to stderr; stdout is reserved for ``--json``.
err_console = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")


def emit_json(payload: dict[str, Any]) -> None:
    """Write ``payload`` as one JSON object (NaN/inf become null) on stdout."""
    sys.stdout.write(json.dumps(jsonable(payload), default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2, as_json: bool = False) -> None:
    """Exit with ``code`` after a clear message (a JSON ``{"error": ...}`` when ``as_json``)."""
    if as_json:
        emit_json({"error": message})
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
