"""`eva safety`: screen messages for crisis risk (English and Ukrainian), or evaluate the screen."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from eva_cli.state import get_state

_RISK_STYLE = {"none": "green", "elevated": "yellow", "crisis": "bold red"}


class _ScreenByDefault(TyperGroup):
    """`eva safety MESSAGE...` screens (the `screen` subcommand); `eva safety train ...` trains."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["screen", *args]
        return super().parse_args(ctx, args)


def _columns(text_column: str, label_column: str, positive: Optional[List[str]], positive_level: str):
    from eva_cli.safety.labelled import LabelColumns

    values = tuple(v.strip() for p in positive or [] for v in p.split(",") if v.strip())
    return LabelColumns(text=text_column, label=label_column, positive=values, positive_level=positive_level)


def _classifier_choice(model: Optional[Path], rules_only: bool):
    if rules_only:
        return False
    if model is not None:
        from eva_cli.safety.learned import SafetyClassifier

        return SafetyClassifier.load(model)
    return None


TEXT_COLUMN = typer.Option("text", "--text-column", help="Column holding the message text.")
LABEL_COLUMN = typer.Option("expected_risk", "--label-column", help="Column holding the label (none / elevated / crisis, or binary with --positive); 'label' is tried when the default is absent.")
POSITIVE = typer.Option(None, "--positive", help="Binary labels: the label value(s) that mean at risk (repeat or comma-separate); every other value is not at risk.")
POSITIVE_LEVEL = typer.Option("elevated", "--positive-level", help="The risk level a --positive label counts as: elevated or crisis.")
MODEL = typer.Option(None, "--model", help="A classifier folder written by `eva safety train` (default: EVA_SAFETY_MODEL, else the built-in model).")
RULES_ONLY = typer.Option(False, "--rules-only", help="Rules alone: no learned classifier (for comparison).")


def register(app: typer.Typer) -> None:
    safety_app = typer.Typer(cls=_ScreenByDefault, no_args_is_help=False,
                             help="Screen messages for crisis risk (English and Ukrainian), evaluate the screen, or train its classifier.")
    app.add_typer(safety_app, name="safety")

    @safety_app.command("screen")
    def screen_cmd(
        ctx: typer.Context,
        text: Optional[List[str]] = typer.Argument(None, help="Messages to screen (each argument is one message)."),
        file: Optional[Path] = typer.Option(None, "--file", "-f", help="Plain text (one message a line) or JSONL with a 'text' field; '-' reads stdin."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per message (or the evaluation report as JSON)."),
        evaluate: Optional[Path] = typer.Option(None, "--evaluate", help="Evaluate the screen on a labelled CSV / JSONL / Parquet file: recall, precision, false-positive rate, precision/recall curve."),
        text_column: str = TEXT_COLUMN,
        label_column: str = LABEL_COLUMN,
        positive: Optional[List[str]] = POSITIVE,
        positive_level: str = POSITIVE_LEVEL,
        locale: Optional[str] = typer.Option(None, "--locale", help="Region for crisis lines: UA, US, GB, IE, ... (default EVA_DEFAULT_LOCALE, UA)."),
        model: Optional[Path] = MODEL,
        rules_only: bool = RULES_ONLY,
        no_embed: bool = typer.Option(False, "--no-embed", help="Skip the optional embedding check even when the embed extra is installed."),
    ) -> None:
        """Screen messages for crisis risk (English and Ukrainian): none, elevated or crisis, with categories and reasons."""
        import json

        from eva_cli.errors import InputError

        state = get_state(ctx)
        embeddings = False if no_embed else None
        classifier = _classifier_choice(model, rules_only)
        if evaluate is not None:
            from eva_cli.safety.evaluate import evaluate as run_eval

            columns = _columns(text_column, label_column, positive, positive_level)
            report = run_eval(evaluate, embeddings=embeddings, columns=columns, classifier=classifier)
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

        results = [(extra, screen(msg, embeddings=embeddings, classifier=classifier)) for msg, extra in messages]
        if as_json:
            for extra, s in results:
                out = s.to_dict()
                for k, v in extra.items():
                    out[f"input_{k}" if k in out else k] = v
                print(json.dumps(out, ensure_ascii=False))
            return
        _print_table(state, results, locale)

    @safety_app.command("train")
    def train_cmd(
        ctx: typer.Context,
        files: Optional[List[Path]] = typer.Argument(None, help="Labelled CSV / JSONL / Parquet files (a text and a label column)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Model folder to write (default WORKSPACE/safety-model)."),
        default: bool = typer.Option(False, "--default", help="Train the built-in model on eva's own messages (eva_cli/safety/corpus) into its default place."),
        text_column: str = TEXT_COLUMN,
        label_column: str = LABEL_COLUMN,
        positive: Optional[List[str]] = POSITIVE,
        positive_level: str = POSITIVE_LEVEL,
        folds: int = typer.Option(5, "--folds", help="Development folds for choosing the thresholds."),
        target_recall: float = typer.Option(0.97, "--target-recall", help="Any-risk recall the elevated threshold aims for on the development folds."),
        target_crisis_recall: float = typer.Option(0.95, "--target-crisis-recall", help="Crisis recall the crisis threshold aims for."),
        max_fpr: float = typer.Option(0.05, "--max-fpr", help="False-positive budget on the development folds."),
        c: float = typer.Option(8.0, "--c", help="Inverse regularization strength."),
        seed: int = typer.Option(0, "--seed", help="Seed for the folds and the solver."),
        force: bool = typer.Option(False, "--force", help="With --default: train again even when the built-in model is already built."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Train the screen's classifier: a versioned model folder with its card, thresholds and metrics."""
        import json

        from eva_cli.errors import InputError
        from eva_cli.safety.training import SafetyTrainConfig, corpus_files, default_model_dir, train

        state = get_state(ctx)
        config = SafetyTrainConfig(folds=folds, c=c, target_recall=target_recall, target_crisis_recall=target_crisis_recall,
                                   max_fpr=max_fpr, seed=seed)
        if default:
            if files:
                raise InputError("--default trains on eva's own messages: give no files with it.")
            paths, target = corpus_files(), out or default_model_dir()
            if not force and out is None and (target / "config.json").is_file():
                state.console.print(f"The built-in safety classifier is already built: {target} (--force trains it again).")
                return
        else:
            if not files:
                raise InputError("eva safety train: no labelled files given.", "Give CSV / JSONL / Parquet files, or --default.")
            paths, target = list(files), out or state.settings.workspace / "safety-model"
        columns = _columns(text_column, label_column, positive, positive_level)
        with state.console.status("training the safety classifier") as status:
            result = train(paths, target, config, columns, progress=lambda m: status.update(f"training the safety classifier: {m}"))
        if as_json:
            print(json.dumps({"path": str(result.path), "n": result.n, "counts": result.counts, "thresholds": result.thresholds,
                              "development": result.dev, "seconds": round(result.seconds, 1)}, ensure_ascii=False))
            return
        _print_trained(state.console, result)


def _print_trained(console, result) -> None:
    from rich.table import Table

    th = result.thresholds
    console.print(f"[bold]Safety classifier[/] written to {result.path} ({result.n} messages {result.counts}, {result.seconds:.1f} s)")
    console.print(f"thresholds: elevated p(risk) >= {th['elevated']} ({th['elevated_why']}); crisis p(crisis) >= {th['crisis']} ({th['crisis_why']})")
    t = Table(title="Development folds: rules + classifier (out-of-fold)")
    for col in ("lang", "n", "any-risk recall", "crisis recall", "precision", "FPR", "rules alone: recall / FPR"):
        t.add_column(col)
    for lang, d in result.dev.items():
        t.add_row(lang, str(d["n"]), _pct(d["any_risk_recall"]), _pct(d["crisis_recall"]), _pct(d["precision"]),
                  _pct(d["false_positive_rate"]), f"{_pct(d['rules_only_any_risk_recall'])} / {_pct(d['rules_only_false_positive_rate'])}")
    console.print(t)
    console.print(f"Use it: EVA_SAFETY_MODEL={result.path} (chat, bot) or `eva safety --model {result.path} ...`.")


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
    t = Table(title="Screen as a whole")
    for c in ("metric", "value", "issue target"):
        t.add_column(c)
    fa = m["false_positive_rate_all"]
    t.add_row("any-risk recall (elevated or crisis flagged)", _pct(m["any_risk_recall"]), ">= 97%")
    t.add_row("crisis recall (crisis labelled, screened crisis)", _pct(m["crisis_recall"]), ">= 95%")
    t.add_row("precision (flagged messages at risk)", _pct(m["precision"]), "-")
    t.add_row("false-positive rate (none labelled, flagged)", f"{_pct(fa['fpr'])} ({fa['false_positives']}/{fa['n']})", "<= 5%")
    console.print(t)
    if m["pr_curve"]:
        t = Table(title="Precision / recall as the classifier's threshold moves (rules fixed)")
        for c in ("threshold", "precision", "recall", "false-positive rate"):
            t.add_column(c)
        for pt in m["pr_curve"]:
            mark = " (the model's)" if pt["model_threshold"] else ""
            t.add_row(f"{pt['threshold']}{mark}", _pct(pt["precision"]), _pct(pt["recall"]), _pct(pt["fpr"]))
        console.print(t)
    t = Table(title="v0.1 targets (by kind, when the file has a kind column)")
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
