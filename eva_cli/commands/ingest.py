"""`eva ingest`: normalize public counseling corpora into workspace/data/examples.parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from eva_cli.state import get_state

PROGRESS_MIN_RECORDS = 20_000  # show a progress bar from this many input records on


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        paths: Optional[list[Path]] = typer.Argument(
            None, help="CSV, TSV, JSON, JSONL, Parquet or Arrow files, .zip archives, folders, or save_to_disk folders.",
            show_default=False, metavar="PATH"),
        format: Optional[str] = typer.Option(None, "--format", help="Force one format for every input (see --list-formats)."),
        eval_fraction: float = typer.Option(0.1, "--eval-fraction", help="Share of examples, whole groups, put in the eval split."),
        seed: int = typer.Option(42, "--seed", help="Seed of the group split."),
        max_chars: int = typer.Option(6000, "--max-chars", help="Max characters of context + reply; older turns are trimmed first."),
        min_chars: int = typer.Option(2, "--min-chars", help="Drop replies shorter than this many characters."),
        langs: Optional[str] = typer.Option(None, "--langs", help="Keep only these languages, e.g. en,uk (en, uk, other)."),
        skip_unknown: bool = typer.Option(
            False, "--skip-unknown",
            help="In folders and archives, skip (with a warning, counted in the report) files that no format reads."),
        convai_distractors: int = typer.Option(
            0, "--convai-distractors", metavar="N",
            help="convai format: N of the other candidates become rejected replies (random distractors; off by default)."),
        list_formats: bool = typer.Option(False, "--list-formats", help="List the formats eva reads and exit."),
    ) -> None:
        """Normalize public counseling corpora into workspace/data/examples.parquet."""
        state = get_state(ctx)
        if list_formats:
            _print_formats(state.console)
            return
        from eva_cli.errors import InputError
        from eva_cli.ingest import IngestOptions, run_ingest

        if not paths:
            raise InputError("eva ingest needs at least one PATH.", "Example: eva ingest examples/corpus")
        options = IngestOptions(
            format=format.strip().lower() if format else None, eval_fraction=eval_fraction, seed=seed,
            max_chars=max_chars, min_chars=min_chars, langs=tuple(langs.split(",")) if langs is not None else None,
            skip_unknown=skip_unknown, convai_distractors=convai_distractors,
        )

        def warn(message: str) -> None:
            from rich.markup import escape

            if not state.quiet:
                state.err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)

        with _ProgressBar(state) as bar:
            result = run_ingest(list(paths), options, state.workspace, progress=bar.update, warn=warn)
        _print_summary(state.console, result)


class _ProgressBar:
    """A rich progress bar that appears only for large inputs (and never with --quiet)."""

    def __init__(self, state):
        self.state = state
        self.progress = None
        self.task = None

    def __enter__(self) -> "_ProgressBar":
        return self

    def update(self, source: str, done: int, total: int) -> None:
        if self.state.quiet or total < PROGRESS_MIN_RECORDS:
            return
        if self.progress is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("ingest {task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.state.err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task(source, total=total)
        self.progress.update(self.task, completed=done, description=source)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


def _print_formats(console) -> None:
    from rich.table import Table

    from eva_cli.ingest.adapters import ADAPTERS

    table = Table(title="eva ingest formats (detected from columns; --format NAME forces one)")
    table.add_column("format", style="bold", no_wrap=True)
    table.add_column("what it reads", overflow="fold")
    table.add_column("fields", overflow="fold")
    for adapter in ADAPTERS.values():
        table.add_row(adapter.name, adapter.summary, adapter.fields)
    console.print(table)


def _print_summary(console, result) -> None:
    from rich.table import Table

    table = Table(title=f"eva ingest: {result.examples} examples in {result.groups} groups", show_footer=True)
    sources = result.sources
    table.add_column("source", footer="total", overflow="fold")
    table.add_column("format")
    table.add_column("records", justify="right", footer=str(sum(s.records for s in sources)))
    table.add_column("candidates", justify="right", footer=str(sum(s.candidates for s in sources)))
    table.add_column("examples", justify="right", footer=str(result.examples), style="green")
    table.add_column("dropped", footer=_drops(result.dropped))
    for s in sources:
        table.add_row(s.source, s.format, str(s.records), str(s.candidates), str(s.examples), _drops(s.dropped))
    console.print(table)
    langs = ", ".join(f"{k} {v}" for k, v in sorted(result.langs.items(), key=lambda kv: -kv[1]))
    splits = ", ".join(f"{k} {result.splits.get(k, 0)}" for k in ("train", "eval"))
    console.print(f"languages: {langs}   split: {splits}   ({result.seconds:.1f} s)")
    if result.skipped:
        from rich.markup import escape

        console.print(f"[yellow]skipped {len(result.skipped)} files that no format reads[/] (--skip-unknown): "
                      + escape(", ".join(s["path"] for s in result.skipped)), soft_wrap=True, highlight=False)
    console.print(f"wrote {result.examples_path} and {result.report_path}", soft_wrap=True)


def _drops(dropped: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())) or "-"
