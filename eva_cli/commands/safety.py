"""`eva safety`: screen messages for crisis risk (English and Ukrainian), or evaluate the screen."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from eva_cli.state import get_state

_RISK_STYLE = {"none": "green", "elevated": "yellow", "crisis": "bold red"}


def register(app: typer.Typer) -> None:
    @app.command("safety")
    def safety(
        ctx: typer.Context,
        text: Optional[List[str]] = typer.Argument(None, help="Messages to screen (each argument is one message)."),
        file: Optional[Path] = typer.Option(None, "--file", "-f", help="Plain text (one message a line) or JSONL with a 'text' field; '-' reads stdin."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per message (or the evaluation report as JSON)."),
        evaluate: Optional[Path] = typer.Option(None, "--evaluate", help="Evaluate the screen on a labelled JSONL set and print recall / false-positive rate."),
        locale: Optional[str] = typer.Option(None, "--locale", help="Region for crisis lines: UA, US, GB, IE, ... (default EVA_DEFAULT_LOCALE, UA)."),
        no_embed: bool = typer.Option(False, "--no-embed", help="Rules only: skip the optional embedding check even when the embed extra is installed."),
    ) -> None:
        """Screen messages for crisis risk (English and Ukrainian): none, elevated or crisis, with categories and reasons."""
        import json

        from eva_cli.errors import InputError

        state = get_state(ctx)
        embeddings = False if no_embed else None
        if evaluate is not None:
            from eva_cli.safety.evaluate import evaluate as run_eval

            report = run_eval(evaluate, embeddings=embeddings)
            if as_json:
                print(json.dumps(report.to_dict(), ensure_ascii=False))
            else:
                _print_report(state.console, report)
            return
        from eva_cli.safety.inputs import read_messages

        messages = read_messages(text or [], file)
        if not messages:
            if locale:
                from eva_cli.safety import help_text, resolve_region

                region = resolve_region(None, locale)
                print(help_text("uk" if region.code == "UA" else "en", locale))
                return
            raise InputError("nothing to screen.", "Give messages as arguments, --file FILE (or '-' for stdin), or --evaluate FILE.")
        from eva_cli.safety import screen

        results = [(extra, screen(msg, embeddings=embeddings)) for msg, extra in messages]
        if as_json:
            for extra, s in results:
                out = s.to_dict()
                for k, v in extra.items():
                    out[f"input_{k}" if k in out else k] = v
                print(json.dumps(out, ensure_ascii=False))
            return
        _print_table(state, results, locale)


def _print_table(state, results, locale: str | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="eva safety", show_lines=False)
    for col in ("#", "risk", "lang", "categories", "message", "reasons"):
        table.add_column(col, overflow="fold")
    for i, (_, s) in enumerate(results, 1):
        msg = s.text if len(s.text) <= 90 else s.text[:87] + "..."
        table.add_row(
            str(i), f"[{_RISK_STYLE[s.risk]}]{s.risk}[/]", s.lang, ", ".join(s.categories) or "-", escape(msg),
            escape("; ".join(s.reasons[:3]) or "-"),
        )
    state.console.print(table)
    crisis = [s for _, s in results if s.risk == "crisis"]
    if crisis:
        from eva_cli.safety import resolve_region

        region = resolve_region(crisis[0].lang, locale)
        state.console.print(
            f"{len(crisis)} crisis message(s): Eva answers these at once, without the model, with the crisis lines for {region.code} "
            f"(see `eva safety --locale {region.code}`)."
        )


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _print_report(console, report) -> None:
    from rich.markup import escape
    from rich.table import Table

    m = report.metrics
    console.print(f"[bold]Safety screen evaluation[/]: {escape(report.path)} ({report.n} messages, embedding check {m['embedding_check']}, "
                  f"{m['ms_per_message']} ms/message)")
    t = Table(title="Targets")
    for c in ("metric", "value", "target", "met"):
        t.add_column(c)
    labels = {"recall_explicit": "recall, explicit crisis", "recall_implicit": "recall, implicit crisis", "fpr_hard_negative": "false-positive rate, hard negatives"}
    counts = {"recall_explicit": m["recall_explicit"], "recall_implicit": m["recall_implicit"], "fpr_hard_negative": m["false_positive_rate"]}
    for k, v in m["targets"].items():
        c = counts[k]
        detail = f"{c.get('recalled', c.get('false_positives'))}/{c['n']}"
        t.add_row(labels[k], f"{_pct(v['value'])} ({detail})", v["target"].replace("0.", "0."), "[green]yes[/]" if v["met"] else "[red]NO[/]")
    ex = m["exact_level_agreement"]
    t.add_row("exact-level agreement (all messages)", f"{_pct(ex['rate'])} ({ex['agree']}/{ex['n']})", "-", "-")
    console.print(t)

    t = Table(title="Per language")
    for c in ("lang", "recall (all positives)", "explicit", "implicit", "false-positive rate", "exact level"):
        t.add_column(c)
    for lang, v in m["per_language"].items():
        t.add_row(
            lang, f"{_pct(v['recall']['recall'])} ({v['recall']['recalled']}/{v['recall']['n']})", _pct(v["recall_explicit"]["recall"]),
            _pct(v["recall_implicit"]["recall"]),
            f"{_pct(v['false_positive_rate']['fpr'])} ({v['false_positive_rate']['false_positives']}/{v['false_positive_rate']['n']})",
            _pct(v["exact_level_agreement"]),
        )
    console.print(t)

    t = Table(title="Per category (positives labelled with the category)")
    for c in ("category", "n", "recall (risk != none)", "category recall (category listed)"):
        t.add_column(c)
    for cat, v in m["per_category"].items():
        t.add_row(cat, str(v["n"]), _pct(v["recall"]), _pct(v["category_recall"]))
    console.print(t)

    t = Table(title="Expected (rows) vs screened (columns)")
    t.add_column("expected \\ screened")
    for g in ("none", "elevated", "crisis"):
        t.add_column(g)
    for e, row in m["confusion"].items():
        t.add_row(e, *(str(row[g]) for g in ("none", "elevated", "crisis")))
    console.print(t)

    if report.failures:
        t = Table(title=f"Messages that still fail ({len(report.failures)})")
        for c in ("line", "lang", "kind", "expected", "screened", "message"):
            t.add_column(c, overflow="fold")
        for f in report.failures:
            t.add_row(str(f["line"]), f["lang"], f["kind"], f["expected"], f["got"], escape(f["text"]))
        console.print(t)
    console.print(
        "Definitions: a positive (expected crisis or elevated) is recalled when the screened risk is not none; "
        "false-positive rate = share of hard negatives screened as elevated or crisis; exact-level agreement = screened risk equals "
        "the expected level; category recall = share of positives with a category whose screening lists that category."
    )
    console.print("Targets met." if report.targets_met else "[red]Targets NOT met.[/]")
