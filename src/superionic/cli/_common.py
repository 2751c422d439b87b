"""Helpers shared by the CLI modules: JSON output on stdout, logs on stderr, clean errors.

The error policy (docs/errors.md): a user error ends the command with exactly one JSON object
``{"error": ..., "kind": ..., ...}`` on stdout, the message on stderr and exit code 2;
:func:`run_main` is the one place that turns the library's typed errors
(:class:`superionic.errors.UserInputError`), Click's usage errors and OSErrors on a user's path
into that. Anything else is a bug and keeps its traceback (exit 1).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

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


def fail(message: str, code: int = 2, as_json: bool = False, kind: str = "bad input",
         **fields: Any) -> NoReturn:
    """Exit with ``code`` after a clear message: one JSON ``{"error": ..., "kind": ...}`` object
    on stdout (always: stdout carries only JSON) and the message on stderr.

    ``fields`` (``option=``, ``file=``, ``row=``, ``value=``) are added to the JSON object when
    not None. ``as_json`` is kept for the callers' signature; the JSON object is printed either way.
    """
    del as_json
    payload: dict[str, Any] = {"error": message, "kind": kind}
    payload.update({k: v for k, v in fields.items() if v is not None})
    emit_json(payload)
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def _click_exceptions() -> tuple[type, type, type]:
    """(ClickException, UsageError, NoArgsIsHelpError) of the click that Typer runs on (recent
    Typer releases vendor their own copy, older ones use click)."""
    try:
        from typer._click import exceptions as cx  # Typer >= 0.2x
    except ImportError:  # pragma: no cover - Typer on the click package
        from click import exceptions as cx
    return cx.ClickException, cx.UsageError, cx.NoArgsIsHelpError


def user_error(exc: BaseException) -> dict[str, Any] | None:
    """The JSON object for a user error, or None when ``exc`` is not one (a bug).

    User errors: :class:`~superionic.errors.UserInputError`, a missing optional package
    (:class:`~superionic._extras.MissingExtraError`, naming the extra), Click's usage errors (bad option
    values, missing arguments), and an OSError on a named path (not found, a folder where a file
    belongs, no permission, disk full).
    """
    from superionic.errors import UserInputError

    click_exception, _, _ = _click_exceptions()
    if isinstance(exc, UserInputError):
        return exc.to_dict(cli=True)
    from superionic._extras import MissingExtraError

    if isinstance(exc, MissingExtraError):  # an optional package is not installed
        return {"error": str(exc), "kind": "missing extra"}
    if isinstance(exc, click_exception):
        out: dict[str, Any] = {"error": exc.format_message(), "kind": "usage"}
        param = getattr(exc, "param", None)
        if param is not None and getattr(param, "opts", None):
            out["option"] = param.opts[0]
            out["kind"] = "bad value"
        return out
    if isinstance(exc, OSError) and getattr(exc, "filename", None) is not None:
        reason = exc.strerror or type(exc).__name__
        return {"error": f"{exc.filename}: {reason}", "kind": "bad path",
                "file": str(exc.filename)}
    return None


def run_main(app: typer.Typer, argv: Sequence[str] | None = None) -> NoReturn:
    """Run the Typer ``app`` with the error policy above; always ends in ``SystemExit``."""
    click_exception, _usage_error, no_args = _click_exceptions()
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=list(argv) if argv is not None else None, prog_name="superionic",
                          standalone_mode=False)
    except no_args as exc:  # bare ``superionic``: the help, as Click prints it
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("Aborted!")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - sorted into user error or bug just below
        payload = user_error(exc)
        if payload is None:
            raise  # a bug: keep the traceback, exit 1
        emit_json(payload)
        if isinstance(exc, click_exception):
            exc.show()  # usage line and message on stderr, as Click does
            sys.exit(exc.exit_code)
        err_console.print(f"[red]error:[/red] {payload['error']}", highlight=False)
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)


def check_output_path(path: Path | str, option: str = "--output",
                      must_not_be_dir: bool = True) -> Path:
    """Fail early (before any work) when ``path`` cannot be written: a folder where a file is
    wanted, a parent that is a file, or a parent that is not writable. Returns the path."""
    from superionic.errors import BadPath

    path = Path(path)
    if must_not_be_dir and path.is_dir():
        raise BadPath(f"{option} {path} is a folder; give a file name", option=option,
                      file=str(path))
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise BadPath(f"{option} {path}: {parent} is a file, not a folder", option=option,
                      file=str(path))
    import os

    if parent.exists() and not os.access(parent, os.W_OK):
        raise BadPath(f"{option} {path}: folder {parent} is not writable", option=option,
                      file=str(path))
    return path


def check_output_dir(path: Path | str, option: str = "--out") -> Path:
    """Fail early when ``path`` (a folder to write into) is a file or cannot be created."""
    from superionic.errors import BadPath

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise BadPath(f"{option} {path} is a file, not a folder", option=option, file=str(path))
    check_output_path(path / "_", option=option)
    return path


def parse_temperatures_K(text: str, option: str = "--temperatures") -> list[float]:
    """Temperatures in K from ``"600,800 1000"``; :class:`~superionic.errors.BadValue` naming
    ``option`` and the item when one is not a finite positive number."""
    import math
    import re

    from superionic.errors import BadValue

    items = [t for t in re.split(r"[,\s]+", str(text).strip()) if t]
    if not items:
        raise BadValue(f"{option}: no temperature given", option=option, value=text)
    temps = []
    for item in items:
        try:
            t = float(item)
        except ValueError:
            raise BadValue(f"{option}: {item!r} is not a number (temperatures in K, e.g. "
                           "600,800,1000)", option=option, value=text) from None
        if not (math.isfinite(t) and t > 0):
            raise BadValue(f"{option}: {item} is not a positive temperature in K", option=option,
                           value=text)
        temps.append(t)
    return temps
