"""The ``superionic`` command line: a thin Typer app, one module per stage in this package.

Each module here defines ``register(app)`` adding its commands; this file discovers them, so
stages add commands without touching a shared file. No science lives in the CLI.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="superionic",
    help="Find superionic solid-state electrolytes: data, funnel, models, screening, MD.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_registered = False


def _register_all() -> None:
    global _registered
    if _registered:
        return
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    _registered = True


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app under the one error policy (``_common.run_main``): user errors
    become one JSON object on stdout and exit 2; bugs keep their traceback (exit 1)."""
    from superionic.cli._common import run_main

    _register_all()
    run_main(app, argv)


_register_all()
