"""The training report: metrics.jsonl -> four plotly graphs -> one self-contained HTML file.

Used by `eva train` (at the end of a run), `eva report --run NAME` and `eva eval`.
metrics.jsonl holds one JSON object per logged step: train rows carry `loss`, eval rows
carry `eval_loss`; TRL's keys are unchanged (`rewards/chosen`, `eval_rewards/chosen`, ...).
"""

from __future__ import annotations

import json
from pathlib import Path

from eva_cli.errors import InputError, MissingArtifactError

METRICS_FILE = "metrics.jsonl"
REPORT_FILE = "training-report.html"

# (panel title, [(metric key, legend label), ...]); eval curves use the same key with `eval_`.
PANELS = (
    ("Loss", [("loss", "loss")]),
    ("Samples per second", [("samples_per_second", "samples/s")]),
    ("Chosen vs rejected rewards", [("rewards/chosen", "chosen"), ("rewards/rejected", "rejected")]),
    ("Reward accuracy", [("rewards/accuracies", "accuracy")]),
)


def read_metrics(run_dir: Path) -> list[dict]:
    """Every row of `run_dir/metrics.jsonl`, in file order."""
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        raise MissingArtifactError(f"{path} is missing.", "Run `eva train` for this run first.")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n} is not valid JSON ({exc.msg}).",
                             "Fix or delete that line, then run `eva report` again.") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{n} is not a JSON object.", "Fix or delete that line.")
        rows.append(row)
    return rows


def is_eval_row(row: dict) -> bool:
    return any(k.startswith("eval_") for k in row) and "loss" not in row


def _series(rows: list[dict], key: str) -> tuple[list, list]:
    xs, ys = [], []
    for row in rows:
        value = row.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and "step" in row:
            xs.append(row["step"])
            ys.append(value)
    return xs, ys


def training_figure(rows: list[dict]):
    """A 2x2 plotly Figure: loss, samples/s, chosen vs rejected rewards, accuracy; train and eval overlaid."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=2, subplot_titles=[title for title, _ in PANELS],
                        horizontal_spacing=0.1, vertical_spacing=0.14)
    train_rows = [r for r in rows if not is_eval_row(r)]
    eval_rows = [r for r in rows if is_eval_row(r)]
    palette = {"train": ("#1f77b4", "#d62728"), "eval": ("#17becf", "#ff7f0e")}
    for i, (title, keys) in enumerate(PANELS):
        r, c = divmod(i, 2)
        for phase, subset, prefix in (("train", train_rows, ""), ("eval", eval_rows, "eval_")):
            for j, (key, label) in enumerate(keys):
                xs, ys = _series(subset, prefix + key)
                if not xs:
                    continue
                fig.add_scatter(
                    x=xs, y=ys, name=f"{phase} {label}", legendgroup=f"{phase}-{label}",
                    mode="lines+markers" if phase == "eval" or len(xs) < 30 else "lines",
                    line=dict(color=palette[phase][j % 2], dash="dash" if phase == "eval" else "solid"),
                    row=r + 1, col=c + 1,
                )
        fig.update_xaxes(title_text="step", row=r + 1, col=c + 1)
    fig.update_yaxes(range=[0, 1.05], row=2, col=2)
    fig.update_layout(height=760, template="plotly_white", legend=dict(orientation="h", y=-0.1),
                      margin=dict(l=50, r=20, t=60, b=40))
    return fig


def summary(rows: list[dict]) -> dict:
    """Key figures from the last train and eval rows (for the report header and the model card)."""
    train = [r for r in rows if not is_eval_row(r) and "loss" in r]
    evals = [r for r in rows if is_eval_row(r)]
    out: dict = {"steps": max((r.get("step", 0) for r in rows), default=0)}
    if train:
        last = train[-1]
        for k in ("loss", "rewards/margins", "rewards/accuracies", "samples_per_second", "peak_memory_mb"):
            if k in last:
                out[k] = last[k]
    if evals:
        last = evals[-1]
        for k in ("eval_loss", "eval_rewards/margins", "eval_rewards/accuracies"):
            if k in last:
                out[k] = last[k]
    return out


def _header_html(run_name: str, figures: dict) -> str:
    from html import escape

    cells = "".join(
        f"<td><b>{escape(k)}</b><br>{v:.4g}</td>" if isinstance(v, float) else f"<td><b>{escape(k)}</b><br>{v}</td>"
        for k, v in figures.items()
    )
    return (f"<h1 style='font-family:sans-serif'>Eva training report: {escape(run_name)}</h1>"
            f"<table style='font-family:sans-serif;border-spacing:18px 4px'><tr>{cells}</tr></table>")


def write_training_report(run_dir: Path) -> Path:
    """Render `run_dir/training-report.html` from metrics.jsonl (plotly.js embedded; works offline)."""
    from eva_cli.atomic import write_text

    run_dir = Path(run_dir)
    rows = read_metrics(run_dir)
    if not rows:
        raise MissingArtifactError(f"{run_dir / METRICS_FILE} has no rows yet.",
                                   "Train for at least one logging step (see --logging-steps).")
    fig = training_figure(rows)
    body = fig.to_html(full_html=False, include_plotlyjs=True)
    html = ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>Eva training report: {run_dir.name}</title></head><body>"
            f"{_header_html(run_dir.name, summary(rows))}{body}</body></html>\n")
    return write_text(run_dir / REPORT_FILE, html)
