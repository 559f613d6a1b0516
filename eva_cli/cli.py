"""The `eva` command line: parse options, call one library function, print.

Every command lives in eva_cli/commands/<name>.py and registers itself here.
Errors are mapped to messages and exit codes in one place: `main`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from eva_cli import __version__
from eva_cli.commands import register_all
from eva_cli.errors import EvaError
from eva_cli.state import State

app = typer.Typer(
    name="eva",
    help="Build, evaluate and serve Eva, a psychological-support assistant (ORPO + QLoRA, Telegram).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        print(f"eva {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Optional[Path] = typer.Option(
        None, "--workspace", "-w", help="Workspace folder for all artifacts (env EVA_WORKSPACE, default ./workspace)."
    ),
    verbose: bool = typer.Option(False, "--verbose", help="More output; tracebacks for unexpected errors."),
    quiet: bool = typer.Option(False, "--quiet", help="Only errors and final results."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    from eva_cli.settings import load_settings

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    settings = load_settings(workspace=workspace)
    ctx.obj = State(settings=settings, verbose=verbose, quiet=quiet, console=Console(quiet=quiet))


register_all(app)


def _print_error(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/] {message}", markup=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: map every outcome to one line and an exit code."""
    from typer._click import exceptions as click_exc  # typer vendors its own click

    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args
    try:
        rv = app(args=args, prog_name="eva", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except click_exc.ClickException as exc:  # usage errors: exit 2
        exc.show()
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _print_error("interrupted.")
        sys.exit(130)
    except EvaError as exc:
        from rich.markup import escape

        _print_error(escape(str(exc)))
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: say so in one line unless --verbose
        if verbose:
            raise
        from rich.markup import escape

        _print_error(escape(f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the traceback)"))
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


def run_captured(argv: list[str], stdin: str | None = None) -> tuple[int, str]:
    """`eva ARGV...` in this process with its output captured: (exit code, stdout + stderr).
    For scripts and tests that drive several commands without paying a process start each time."""
    import contextlib
    import io

    out = io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue()
