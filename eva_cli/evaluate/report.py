"""Presenting an eval: the rich table for the terminal and a self-contained report.html (plotly inlined)."""

from __future__ import annotations

import html
import json
from typing import Sequence

# (key in a model block, label, key of its CI or None, decimals); see report['definitions'] for meanings
HEADLINE = (
    ("accuracy", "accuracy", "accuracy_ci", 3),
    ("margin_mean", "mean margin", "margin_ci", 4),
    ("reward_chosen", "reward chosen", None, 4),
    ("reward_rejected", "reward rejected", None, 4),
    ("log_odds_ratio", "log-odds ratio", None, 4),
    ("log_odds_chosen", "log odds", None, 4),
    ("nll_chosen", "NLL chosen", None, 4),
    ("ppl_chosen_reply", "PPL chosen reply", None, 2),
)
COLORS = {"base": "#8c8c8c", "tuned": "#2a7ab0"}


def _num(v, digits: int = 4) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}" if abs(v) < 1e5 else f"{v:.3g}"
    return str(v)


def _ci(ci, digits: int = 4) -> str:
    return f"[{_num(ci[0], digits)}, {_num(ci[1], digits)}]" if ci else ""


def _signed(v, digits: int = 4) -> str:
    return "—" if v is None else f"{v:+.{digits}f}"


def systems(report: dict) -> list[str]:
    return [s for s in ("base", "tuned") if report.get(s)]


# --- terminal ---------------------------------------------------------------------------------------------------

def summary_table(report: dict):
    """Headline figures base vs tuned (with 95% CIs) and the change, as a rich Table."""
    from rich.table import Table

    title = f"eva eval · run {report['run']} · {report['n_pairs']} pairs ({report['pairs']['split']})"
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    names = systems(report)
    for name in names:
        table.add_column(name, justify="right")
    if report.get("delta"):
        table.add_column("tuned − base", justify="right")
    for key, label, ci_key, digits in HEADLINE:
        table.add_row(*_headline_row(report, names, key, label, ci_key, digits))
    return table


def _headline_row(report: dict, names: Sequence[str], key: str, label: str, ci_key: str | None, digits: int) -> list[str]:
    row = [label]
    for name in names:
        block = report[name]
        row.append(_num(block.get(key), digits) + (f" {_ci(block[ci_key], digits)}" if ci_key and block.get(ci_key) else ""))
    if report.get("delta"):
        d = report["delta"]
        row.append(_signed(d.get(key), digits) + (f" {_ci(d[ci_key], digits)}" if ci_key and d.get(ci_key) else ""))
    return row


def strategy_table(report: dict):
    from rich.table import Table

    table = Table(title="accuracy / mean margin by strategy", title_justify="left")
    table.add_column("strategy")
    table.add_column("n", justify="right")
    for name in systems(report):
        table.add_column(f"{name} acc", justify="right")
        table.add_column(f"{name} margin", justify="right")
    for value, group in report.get("by_strategy", {}).items():
        row = [value, str(group["n"])]
        for name in systems(report):
            row += [_num(group[name].get("accuracy"), 3), _num(group[name].get("margin_mean"), 4)]
        table.add_row(*row)
    return table


# --- html ---------------------------------------------------------------------------------------------------------

def margin_figure(margins: dict[str, Sequence[float]]):
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, values in margins.items():
        fig.add_trace(go.Histogram(x=list(values), name=name, opacity=0.6, marker_color=COLORS.get(name),
                                   nbinsx=40))
        if len(values):
            mean = sum(values) / len(values)
            fig.add_vline(x=mean, line_dash="dash", line_color=COLORS.get(name),
                          annotation_text=f"{name} mean {mean:.3f}", annotation_position="top")
    fig.add_vline(x=0, line_color="black", line_width=1)
    fig.update_layout(barmode="overlay", title="Reward margin per pair (β·log p(chosen) − β·log p(rejected))",
                      xaxis_title="margin", yaxis_title="pairs", height=420)
    return fig


def strategy_figure(report: dict):
    import plotly.graph_objects as go

    groups = report.get("by_strategy", {})
    names = list(groups)
    fig = go.Figure()
    for name in systems(report):
        acc = [groups[g][name].get("accuracy") for g in names]
        lo = [a - (groups[g][name].get("accuracy_ci") or [a, a])[0] for g, a in zip(names, acc)]
        hi = [(groups[g][name].get("accuracy_ci") or [a, a])[1] - a for g, a in zip(names, acc)]
        fig.add_trace(go.Bar(x=[f"{g} (n={groups[g]['n']})" for g in names], y=acc, name=name,
                             marker_color=COLORS.get(name),
                             error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo)))
    fig.add_hline(y=0.5, line_dash="dot", line_color="black", annotation_text="chance")
    fig.update_layout(barmode="group", title="Accuracy per strategy, with bootstrap 95% CI",
                      yaxis=dict(title="accuracy", range=[0, 1.05]), height=420)
    return fig


def _table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headline_html(report: dict) -> str:
    names = systems(report)
    headers = ["metric", *names] + (["tuned − base"] if report.get("delta") else [])
    rows = [_headline_row(report, names, key, label, ci_key, digits) for key, label, ci_key, digits in HEADLINE]
    return _table(headers, rows)


def _breakdown_html(report: dict, key: str) -> str:
    names = systems(report)
    headers = [key.removeprefix("by_"), "n"]
    for name in names:
        headers += [f"{name} accuracy [95% CI]", f"{name} mean margin [95% CI]"]
    rows = []
    for value, g in report.get(key, {}).items():
        row = [value, g["n"]]
        for name in names:
            row += [f"{_num(g[name].get('accuracy'), 3)} {_ci(g[name].get('accuracy_ci'), 3)}",
                    f"{_num(g[name].get('margin_mean'))} {_ci(g[name].get('margin_ci'))}"]
        rows.append(row)
    return _table(headers, rows)


def _generation_html(gen: dict | None) -> str:
    if not gen:
        return "<p>Not run. Add <code>--generate N</code> to compare replies from base and tuned.</p>"
    names = [n for n in ("base", "tuned") if n in gen]
    keys = ["length_words", "distinct_1", "distinct_2", "rouge_l_f1", "unigram_f1", "embedding_similarity"]
    rows = [[k, *[_num(gen[n].get(k), 3) for n in names]] for k in keys if any(k in gen[n] for n in names)]
    emb = gen.get("embedding", {})
    note = ("" if emb.get("available") else
            f"<p>Embedding similarity unavailable: {html.escape(str(emb.get('reason')))}</p>")
    return (f"<p>{gen['n']} held-out prompts; reference replies average "
            f"{_num(gen['reference']['length_words'], 1)} words. Side-by-side replies: <code>samples.md</code>.</p>"
            + _table(["metric", *names], rows) + note)


def _judge_html(judge: dict | None) -> str:
    if not judge:
        return "<p>Not run. Pass <code>--judge-url URL</code> (any OpenAI-compatible endpoint) with <code>--generate N</code>.</p>"
    rubric = judge.get("rubric", {})
    top = (f"<p>Judge model: <code>{html.escape(str(rubric.get('judge_model')))}</code> at "
           f"<code>{html.escape(str(rubric.get('url')))}</code>; rubric {html.escape(rubric.get('name', ''))} "
           f"v{html.escape(str(rubric.get('version', '')))}.</p>")
    if not judge.get("available"):
        body = f"<p class='warn'>Judge unavailable: {html.escape(str(judge.get('reason')))}</p>"
    else:
        names = [n for n in ("base", "tuned") if n in judge]
        crit = [*rubric.get("criteria", []), "overall"]
        rows = [[c, *[_num(judge[n].get(c), 2) for n in names]] for c in crit]
        rows.append(["replies scored", *[judge[n].get("n", 0) for n in names]])
        body = _table(["criterion (1–5)", *names], rows)
        if judge.get("n_failed"):
            body += f"<p>{judge['n_failed']} replies could not be scored: {html.escape('; '.join(judge.get('failures', [])))}</p>"
    return top + body + f"<details><summary>Rubric</summary><pre>{html.escape(rubric.get('text', ''))}</pre></details>"


_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}.warn{color:#a33;font-weight:600}
code{background:#f3f3f3;padding:0 3px}pre{white-space:pre-wrap;background:#f8f8f8;padding:1em}"""


def render_html(report: dict, margins: dict[str, Sequence[float]], training_fig=None) -> str:
    """One self-contained page: plotly.js is inlined once, every figure reuses it."""
    import plotly.io as pio

    figs = [margin_figure(margins), strategy_figure(report)]
    parts = [pio.to_html(f, full_html=False, include_plotlyjs=(i == 0), default_width="100%")
             for i, f in enumerate(figs)]
    training = report.get("training", {})
    if training_fig is not None:
        training_html = pio.to_html(training_fig, full_html=False, include_plotlyjs=False, default_width="100%")
    else:
        training_html = f"<p>Training curves unavailable: {html.escape(str(training.get('reason')))}</p>"
    p = report["pairs"]
    warn = ("" if p.get("held_out") else
            "<p class='warn'>These pairs were used for training: figures are not held-out and will look better "
            "than on unseen data.</p>")
    skipped = (f"<p>{report['n_skipped']} pairs skipped: {html.escape(report.get('skipped_reason') or '')}</p>"
               if report.get("n_skipped") else "")
    m = report["model"]
    meta = _table(["", ""], [
        ["run", report["run"]], ["pairs", f"{p['path']} ({p['split']})"], ["scored pairs", report["n_pairs"]],
        ["base model", m["base"]], ["adapter / tuned weights", m.get("tuned") or "—"], ["mode", m.get("mode")],
        ["β (beta)", report["beta"]], ["max_length", report["max_length"]],
        ["device / dtype", f"{m.get('device')} / {m.get('dtype')}"], ["created", report["created"]],
    ])
    defs = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in report.get("definitions", {}).items())
    title = f"eva eval · {html.escape(report['run'])}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_CSS}</style></head><body>
<h1>{title}</h1>
{warn}{skipped}{meta}
<h2>Reward margins, base vs tuned</h2>
{_headline_html(report)}
<p>CIs: seeded percentile bootstrap, {report['bootstrap']['resamples']} resamples; the change uses paired resamples.</p>
{parts[0]}
<h2>Accuracy per strategy</h2>
{parts[1]}
{_breakdown_html(report, 'by_strategy')}
<h3>By source</h3>
{_breakdown_html(report, 'by_source')}
<h3>By language</h3>
{_breakdown_html(report, 'by_lang')}
<h2>Training curves (metrics.jsonl)</h2>
{training_html}
<h2>Generation</h2>
{_generation_html(report.get('generation'))}
<h2>LLM judge</h2>
{_judge_html(report.get('judge'))}
<h2>Human review</h2>
{_human_html(report.get('human'))}
<h2>Definitions</h2>
<ul>{defs}</ul>
<details><summary>report.json</summary><pre>{html.escape(json.dumps(_without_items(report), indent=2, ensure_ascii=False, default=str))}</pre></details>
</body></html>
"""


def _human_html(h: dict | None) -> str:
    """Counselors' judgments (eva review): win rate, ratings, agreement, every safety flag."""
    if not h:
        return ("<p>Not run. Counselors judge replies with <code>eva review prepare</code> and "
                "<code>eva review serve</code>; add <code>--review NAME</code> here.</p>")
    w, a = h["win"], h["agreement"]
    top = (f"<p>Review <code>{html.escape(h['review'])}</code> of run <code>{html.escape(str(h.get('run')))}</code> "
           f"({html.escape(str(h.get('mode')))}): {h['judgments']} judgments of {h['judged_tasks']} of {h['tasks']} "
           f"tasks by {h['reviewers']} reviewer(s).</p>")
    if h.get("matches_run") is False:
        top += "<p class='warn'>These judgments are of another run's replies.</p>"
    win_rows = [["tuned win rate over base [95% CI]",
                 f"{_num(w['win_rate'], 3)} {_ci(w['win_rate_ci'], 3)}" if w["win_rate"] is not None
                 else (w.get("note") or "—")],
                ["decisive win rate (ties left out)", _num(w.get("decisive_win_rate"), 3)],
                *[[k.replace("_", " "), w[k]] for k in ("tuned_better", "base_better", "both_ok", "both_bad")],
                ["tasks in the win rate", w["tasks"]]]
    body = _table(["", ""], win_rows) + f"<p>{html.escape(w['definition'])}.</p>"
    systems_ = list(h["ratings"])
    if systems_:
        rows = [[d, *[(f"{_num(h['ratings'][s][d]['mean'], 2)} {_ci(h['ratings'][s][d]['ci'], 2)} "
                       f"(n={h['ratings'][s][d]['n']})") if d in h["ratings"][s] else "—" for s in systems_]]
                for d in h["dimensions"]]
        body += _table(["rating (1–5) [95% CI]", *systems_], rows)
    kappa = (f"Cohen's κ {_num(a['kappa'], 3)}, raw agreement {_num(a['raw_agreement'], 3)} over {a['tasks']} tasks"
             if a.get("kappa") is not None else (a.get("note") or "—"))
    body += f"<p>Inter-rater agreement: {html.escape(kappa)}.</p>"
    flags = h["safety_flags"]
    if flags:
        body += "<h3>Safety flags</h3>" + _table(
            ["task", "system", "reviewer", "reason", "reply"],
            [[f["task_id"], f["system"], f["reviewer"], f.get("reason") or "", f["reply"]] for f in flags])
    else:
        body += "<p>No reply was flagged for safety.</p>"
    return top + body


def _without_items(report: dict) -> dict:
    """report.json minus the bulky per-reply judge items, for the page's appendix."""
    judge = report.get("judge")
    if not judge or "items" not in judge:
        return report
    return {**report, "judge": {k: v for k, v in judge.items() if k != "items"}}
