"""`eva safety train`: fit the learned layer, choose its thresholds on development folds, write the model folder.

Thresholds are chosen overall, and again per language where a language has 200 or more messages, on
out-of-fold predictions (k-fold: every message is scored by a model
that did not see it), combined with the rules exactly as the screen combines them:
- "elevated": the highest threshold whose any-risk recall reaches `target_recall`, if its
  false-positive rate (messages labelled none that get flagged) stays within `max_fpr`;
  otherwise the lowest threshold within `max_fpr` (the most recall the false-positive budget buys);
- "crisis" (chosen first): the same rule for crisis recall (crisis messages screened crisis), with
  half the budget for none messages screened crisis; "elevated" is then chosen with those flags counted.
The final model is then fitted on all the data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from eva_cli.errors import InputError
from eva_cli.safety.labelled import LabelColumns, Labelled, read_labelled

log = logging.getLogger("eva.safety.train")

CORPUS = Path(__file__).with_name("corpus")
TRAINER_VERSION = "1"


@dataclass
class SafetyTrainConfig:
    """Options of `eva safety train` (each one a flag)."""

    folds: int = 5  # development folds for choosing thresholds (out-of-fold predictions)
    c: float = 8.0  # inverse regularization strength of the logistic regressions
    target_recall: float = 0.97  # any-risk recall the "elevated" threshold aims for on the development folds
    target_crisis_recall: float = 0.95  # crisis recall the "crisis" threshold aims for
    max_fpr: float = 0.05  # false-positive budget (messages labelled none that get flagged)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise InputError(f"--folds must be at least 2 (got {self.folds}).")
        if self.c <= 0:
            raise InputError(f"--c must be positive (got {self.c}).")
        for name in ("target_recall", "target_crisis_recall", "max_fpr"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise InputError(f"--{name.replace('_', '-')} must be between 0 and 1 (got {v}).")


@dataclass
class TrainResult:
    path: Path
    n: int
    counts: dict
    thresholds: dict
    dev: dict
    seconds: float
    notes: list[str] = field(default_factory=list)


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.jsonl"))


def corpus_hash(paths: list[Path]) -> str:
    h = hashlib.sha256(TRAINER_VERSION.encode())
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def default_model_dir() -> Path:
    """Where the built-in model lives: EVA_HOME (default ~/.cache/eva)/safety/default-<hash>, the hash
    over the corpus and the code that turns text into features (a change to either retrains)."""
    from eva_cli.settings import load_settings

    here = Path(__file__).parent
    code = [here / "learned.py", here / "normalize.py", here / "training.py"]
    return load_settings().home_dir / "safety" / f"default-{corpus_hash(corpus_files() + code)}"


def ensure_default_model() -> Path:
    """The built-in model's folder, trained now (once, a few seconds) when it is not there yet."""
    folder = default_model_dir()
    if not (folder / "config.json").is_file():
        log.warning("building the default safety model once (%s)", folder)
        train(corpus_files(), folder)
    return folder


def load_examples(paths: list[Path], columns: LabelColumns) -> list[Labelled]:
    rows: list[Labelled] = []
    for p in paths:
        rows.extend(read_labelled(p, columns, flag="eva safety train"))
    seen: set[str] = set()
    out = []
    for r in rows:  # a message written twice counts once
        key = " ".join(r.text.split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _scores(rows: list[Labelled], clf) -> np.ndarray:
    """(n, 2) max p(risk), max p(crisis) over each message's pieces, as the screen reads it."""
    from eva_cli.safety.screen import segments

    pieces, owner = [], []
    for i, r in enumerate(rows):
        for s in segments(r.text):
            pieces.append(s)
            owner.append(i)
    p = clf.probabilities(pieces)
    out = np.zeros((len(rows), 2))
    for j, i in enumerate(owner):
        out[i, 0] = max(out[i, 0], p[j, 1] + p[j, 2])
        out[i, 1] = max(out[i, 1], p[j, 2])
    return out


def _rule_levels(rows: list[Labelled]) -> list[str]:
    from eva_cli.safety.screen import rules_verdict

    return [rules_verdict(r.text)[0] for r in rows]


def _choose(scores: np.ndarray, rule_hit: np.ndarray, positive: np.ndarray, negative: np.ndarray, target: float, max_fpr: float) -> dict:
    """One threshold by the rule in the module docstring, with the recall and FPR it gives."""
    grid = np.unique(np.round(np.concatenate([scores, [0.05, 0.5, 0.95]]), 3))[::-1]
    table = []
    for t in grid:
        flagged = rule_hit | (scores >= t)
        rec = float(flagged[positive].mean()) if positive.any() else 1.0
        fpr = float(flagged[negative].mean()) if negative.any() else 0.0
        table.append((float(t), rec, fpr))
    reaching = [row for row in table if row[1] >= target]
    if reaching and reaching[0][2] <= max_fpr:
        t, rec, fpr = reaching[0]
        why = f"highest threshold reaching recall {target} on the development folds"
    else:
        within = [row for row in table if row[2] <= max_fpr]
        t, rec, fpr = within[-1] if within else table[0]
        why = (f"recall {target} would cost more than {max_fpr} false positives: lowest threshold within that budget"
               if within else "no threshold stays within the false-positive budget: the highest was kept")
    return {"threshold": round(t, 3), "recall": round(rec, 4), "fpr": round(fpr, 4), "why": why,
            "curve": [_point(scores, rule_hit, positive, negative, c) for c in CURVE]}


CURVE = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


def _point(scores, rule_hit, positive, negative, t: float) -> dict:
    flagged = rule_hit | (scores >= t)
    tp, fp = int(flagged[positive].sum()), int(flagged[negative].sum())
    return {"threshold": t, "recall": round(tp / max(positive.sum(), 1), 4), "fpr": round(fp / max(negative.sum(), 1), 4),
            "precision": round(tp / max(tp + fp, 1), 4)}


def train(paths: list[Path], out: Path, config: SafetyTrainConfig = SafetyTrainConfig(),
          columns: LabelColumns = LabelColumns(), progress=None) -> TrainResult:
    """Fit, choose thresholds on development folds, refit on everything, write `out`."""
    from sklearn.model_selection import StratifiedKFold

    from eva_cli.safety.learned import SafetyClassifier, Thresholds

    t0 = time.perf_counter()
    if not paths:
        raise InputError("eva safety train: no labelled files given.", "Give CSV, JSONL or Parquet files, or --default.")
    rows = load_examples(paths, columns)
    levels = [r.level for r in rows]
    counts = {lv: levels.count(lv) for lv in ("none", "elevated", "crisis")}
    if counts["none"] == 0 or counts["none"] == len(rows):
        raise InputError("eva safety train: the labels need both at-risk and not-at-risk messages.",
                         "Check --label-column / --positive.")
    folds = min(config.folds, min(c for c in counts.values() if c))
    if folds < 2:
        raise InputError("eva safety train: too few messages of one label for development folds.", "Add more labelled messages.")
    texts, cats = [r.text for r in rows], [r.categories for r in rows]
    oof = np.zeros((len(rows), 2))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for k, (tr, te) in enumerate(skf.split(texts, levels), 1):
        if progress:
            progress(f"fold {k}/{folds}")
        clf = SafetyClassifier.fit([texts[i] for i in tr], [levels[i] for i in tr], c=config.c, seed=config.seed)
        oof[te] = _scores([rows[i] for i in te], clf)
    if progress:
        progress("rules on the development folds")
    rules = np.array(_rule_levels(rows))
    y = np.array(levels)
    neg = y == "none"
    # crisis first, within half the false-positive budget (a crisis reply to an ordinary message costs
    # more); the elevated threshold is then chosen with the crisis flags already counted, so the
    # budget holds for the screen as a whole
    has_crisis = counts["crisis"] > 0
    crisis = (_choose(oof[:, 1], rules == "crisis", y == "crisis", neg, config.target_crisis_recall, config.max_fpr / 2)
              if has_crisis else {"threshold": 1.01, "why": "no crisis labels: the classifier never says crisis alone"})
    flagged_already = (rules != "none") | (oof[:, 1] >= crisis["threshold"])
    elev = _choose(oof[:, 0], flagged_already, y != "none", neg, config.target_recall, config.max_fpr)
    by_lang, lang_notes = {}, {}
    for lang in sorted({r.lang for r in rows} - {"?", ""}):
        idx = np.array([r.lang == lang for r in rows])
        if idx.sum() < 200 or not (y[idx] != "none").any() or not neg[idx].any():
            continue  # too few messages of this language for its own thresholds
        c_l = (_choose(oof[idx, 1], rules[idx] == "crisis", y[idx] == "crisis", neg[idx], config.target_crisis_recall, config.max_fpr / 2)
               if has_crisis and (y[idx] == "crisis").any() else crisis)
        e_l = _choose(oof[idx, 0], (rules[idx] != "none") | (oof[idx, 1] >= c_l["threshold"]), y[idx] != "none", neg[idx],
                      config.target_recall, config.max_fpr)
        by_lang[lang] = {"elevated": e_l["threshold"], "crisis": c_l["threshold"]}
        lang_notes[lang] = {"elevated_why": e_l["why"], "crisis_why": c_l["why"]}
    th = Thresholds(elevated=elev["threshold"], crisis=crisis["threshold"], by_lang=by_lang or None)
    dev = _dev_figures(rows, oof, rules, th)
    if progress:
        progress("final fit on all messages")
    meta = {"trained_on": [p.name for p in paths], "data_hash": corpus_hash(list(paths)), "n": len(rows), "counts": counts,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "trainer": TRAINER_VERSION,
            "columns": asdict(columns)}
    model = SafetyClassifier.fit(texts, levels, cats, c=config.c, seed=config.seed, meta=meta)
    model.thresholds = th
    notes = {"elevated_why": elev["why"], "crisis_why": crisis["why"], "folds": folds, "by_lang_why": lang_notes,
             "targets": {"recall": config.target_recall, "crisis_recall": config.target_crisis_recall, "max_fpr": config.max_fpr}}
    metrics = {"development": dev, "elevated_curve": elev.get("curve", []), "crisis_curve": crisis.get("curve", [])}
    model.save(out, metrics=metrics, card=_card(meta, th, notes, dev), threshold_notes=notes)
    return TrainResult(out, len(rows), counts, {"elevated": th.elevated, "crisis": th.crisis, "by_lang": by_lang, **notes}, dev,
                       time.perf_counter() - t0)


def _dev_figures(rows: list[Labelled], oof: np.ndarray, rules: np.ndarray, th) -> dict:
    """Figures of rules + classifier on the development folds, overall and per language."""
    rank = {"none": 0, "elevated": 1, "crisis": 2}
    got = []
    for i in range(len(rows)):
        lv = th.for_lang(rows[i].lang).level(oof[i, 0], oof[i, 1])
        got.append(max(lv, rules[i], key=rank.get))
    out = {}
    for lang in ["all"] + sorted({r.lang for r in rows}):
        idx = [i for i, r in enumerate(rows) if lang == "all" or r.lang == lang]
        if not idx:
            continue
        pos = [i for i in idx if rows[i].positive]
        neg = [i for i in idx if not rows[i].positive]
        cri = [i for i in idx if rows[i].level == "crisis"]
        flagged = [i for i in idx if got[i] != "none"]
        out[lang] = {
            "n": len(idx),
            "any_risk_recall": _ratio(sum(got[i] != "none" for i in pos), len(pos)),
            "crisis_recall": _ratio(sum(got[i] == "crisis" for i in cri), len(cri)),
            "precision": _ratio(sum(rows[i].positive for i in flagged), len(flagged)),
            "false_positive_rate": _ratio(sum(got[i] != "none" for i in neg), len(neg)),
            "rules_only_any_risk_recall": _ratio(sum(rules[i] != "none" for i in pos), len(pos)),
            "rules_only_false_positive_rate": _ratio(sum(rules[i] != "none" for i in neg), len(neg)),
        }
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _card(meta: dict, th, notes: dict, dev: dict) -> str:
    lines = [
        "# eva crisis-screen classifier", "",
        "The learned layer of eva's crisis screen (`eva_cli/safety/learned.py`). It runs beside the rules; the screen takes",
        "the higher of the two verdicts. It is a screen for a support chat, not a clinical instrument.", "",
        f"- trained on: {', '.join(meta['trained_on'])} ({meta['n']} messages: {json.dumps(meta['counts'])}), data hash {meta['data_hash']}",
        f"- created: {meta['created']}; features: character 2-5-grams and word 1-2-grams, hashed; logistic regression",
        f"- thresholds: elevated when p(risk) >= {th.elevated} ({notes['elevated_why']}); crisis when p(crisis) >= {th.crisis} ({notes['crisis_why']})",
        *(f"- {lang}: elevated when p(risk) >= {v['elevated']}; crisis when p(crisis) >= {v['crisis']} (chosen on that language's messages)"
          for lang, v in (th.by_lang or {}).items()),
        "", "## Development folds (rules + classifier, out-of-fold)", "",
        "| lang | n | any-risk recall | crisis recall | precision | false-positive rate | rules alone: recall / FPR |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lang, d in dev.items():
        lines.append(f"| {lang} | {d['n']} | {d['any_risk_recall']} | {d['crisis_recall']} | {d['precision']} | {d['false_positive_rate']} | "
                     f"{d['rules_only_any_risk_recall']} / {d['rules_only_false_positive_rate']} |")
    lines += ["", "These are development figures (the thresholds were chosen on them); blind figures are in eva's docs/safety.md.", ""]
    return "\n".join(lines)
