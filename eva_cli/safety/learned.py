"""The learned layer of the crisis screen: a small bilingual text classifier.

Character n-grams (2-5, inside word boundaries) and word uni/bigrams, hashed into fixed-size
vectors, TF-IDF weighted, then a logistic regression over the risk levels and a one-vs-rest
logistic regression over the categories. Chosen by measurement (docs/safety.md): it reads
Ukrainian, transliteration, typos and glued words as well as English, needs no pretrained
weights, and scores a chat message in well under a millisecond on a CPU.

A model is a folder, saved with no pickle (plain JSON and a NumPy .npz):
  config.json      format version, features, classes, categories, training data hash
  weights.npz      idf, level coefficients, category coefficients
  thresholds.json  probability thresholds for "elevated" and "crisis", and why they were chosen
  metrics.json     development-split figures (precision/recall table)
  README.md        the model card
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "eva-safety-classifier/1"
LEVELS = ("none", "elevated", "crisis")
N_FEATURES = 2**18  # per analyzer; collisions are rare at this size for a few thousand messages


def features_text(text: str) -> str:
    """The text the classifier reads: the screen's normalization with glued words split."""
    from eva_cli.safety.normalize import normalize, unglue

    return normalize(unglue(text))


@lru_cache(maxsize=1)
def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    common = dict(n_features=N_FEATURES, alternate_sign=False, norm=None, lowercase=False, dtype=np.float32)
    return (
        HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common),
        HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", **common),
    )


def _raw_matrix(texts: list[str]):
    from scipy.sparse import hstack

    prepared = [features_text(t) for t in texts]
    return hstack([v.transform(prepared) for v in _vectorizers()]).tocsr()


def _weigh(raw, idf: np.ndarray):
    from sklearn.preprocessing import normalize as l2

    x = raw.copy()
    x.data = np.log1p(x.data)  # sublinear term frequency
    x = x.multiply(idf).tocsr()
    return l2(x)


def _logreg(x, y, c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed).fit(x, y)
    return m.coef_.astype(np.float32), m.intercept_.astype(np.float32)


@dataclass
class Thresholds:
    elevated: float  # p(elevated) + p(crisis) at or above this: at least "elevated"
    crisis: float  # p(crisis) at or above this: "crisis"
    by_lang: dict | None = None  # {"uk": {"elevated": .., "crisis": ..}}: chosen per language where there was data

    def for_lang(self, lang: str | None) -> "Thresholds":
        own = (self.by_lang or {}).get(lang or "")
        return Thresholds(float(own["elevated"]), float(own["crisis"])) if own else self

    def level(self, p_risk: float, p_crisis: float) -> str:
        if p_crisis >= self.crisis:
            return "crisis"
        return "elevated" if p_risk >= self.elevated else "none"


@dataclass
class Prediction:
    p_risk: float  # probability of any risk (elevated or crisis)
    p_crisis: float
    level: str
    categories: list[str]


class SafetyClassifier:
    """A trained classifier, loaded once per process (see `default_classifier`)."""

    def __init__(self, config: dict, idf, coef, intercept, cat_coef, cat_intercept, thresholds: Thresholds, path: Path | None = None):
        self.config = config
        self.classes: list[str] = list(config["classes"])
        self.categories: list[str] = list(config["categories"])
        self.idf = idf
        self.coef, self.intercept = coef, intercept
        self.cat_coef, self.cat_intercept = cat_coef, cat_intercept
        self.thresholds = thresholds
        self.path = path
        # (features, k) C-ordered copies: a sparse row times these is a gather, not a copy of the whole matrix
        self._coef_t = np.ascontiguousarray(coef.T)
        self._cat_t = np.ascontiguousarray(cat_coef.T)

    # -- fitting -----------------------------------------------------------------------------
    @classmethod
    def fit(cls, texts: list[str], levels: list[str], categories: list[list[str]] | None = None, *, c: float = 8.0,
            seed: int = 0, meta: dict | None = None) -> "SafetyClassifier":
        """Fit on labelled messages; categories=None skips the category head (development folds)."""
        raw = _raw_matrix(texts)
        df = np.asarray((raw > 0).sum(axis=0)).ravel()
        idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        used = np.flatnonzero(df)  # fit on the features that occur: far fewer than the hashed space
        x = _weigh(raw, idf)[:, used]
        classes = [lv for lv in LEVELS if lv in set(levels)]
        y = np.array([classes.index(lv) for lv in levels])
        coef_u, intercept = _logreg(x, y, c, seed)
        if len(classes) == 2:  # binary: sklearn keeps one row for the positive class
            coef_u, intercept = np.vstack([-coef_u, coef_u]) / 2, np.concatenate([-intercept, intercept]) / 2
        coef = np.zeros((len(classes), raw.shape[1]), dtype=np.float32)
        coef[:, used] = coef_u
        cats = sorted({c_ for cs in categories or [] for c_ in cs})
        pos = [i for i, lv in enumerate(levels) if lv != "none"]
        cat_coef = np.zeros((len(cats), raw.shape[1]), dtype=np.float32)
        cat_int = np.zeros(len(cats), dtype=np.float32)
        for j, cat in enumerate(cats):
            yy = np.array([cat in categories[i] for i in pos])
            if 0 < yy.sum() < len(yy):
                w, b = _logreg(x[pos], yy.astype(int), c, seed)
                cat_coef[j, used], cat_int[j] = w[0], b[0]
            else:
                cat_int[j] = 10.0 if yy.all() else -10.0
        config = {"format": FORMAT, "classes": classes, "categories": cats, "n_features": N_FEATURES,
                  "features": "char_wb 2-5 + word 1-2, hashed, sublinear tf-idf, l2", "C": c, **(meta or {})}
        return cls(config, idf, coef, intercept.astype(np.float32), cat_coef, cat_int, Thresholds(0.5, 0.5))

    # -- scoring -----------------------------------------------------------------------------
    def probabilities(self, texts: list[str], x=None) -> np.ndarray:
        """(n, 3) probabilities over none / elevated / crisis (a level the model never saw stays 0)."""
        x = _weigh(_raw_matrix(texts), self.idf) if x is None else x
        z = x @ self._coef_t + self.intercept
        z = np.exp(z - z.max(axis=1, keepdims=True))
        p = z / z.sum(axis=1, keepdims=True)
        out = np.zeros((len(texts), 3), dtype=np.float64)
        for j, lv in enumerate(self.classes):
            out[:, LEVELS.index(lv)] = p[:, j]
        return out

    def predict(self, texts: list[str], lang: str | None = None) -> list[Prediction]:
        """Levels by the thresholds of `lang` (the screen's language guess), else the overall ones."""
        th = self.thresholds.for_lang(lang)
        x = _weigh(_raw_matrix(texts), self.idf)
        p = self.probabilities(texts, x)
        cat_p = 1 / (1 + np.exp(-(x @ self._cat_t + self.cat_intercept))) if self.categories else None
        out = []
        for i in range(len(texts)):
            p_risk, p_crisis = float(p[i, 1] + p[i, 2]), float(p[i, 2])
            level = th.level(p_risk, p_crisis)
            cats: list[str] = []
            if level != "none" and cat_p is not None:
                row = cat_p[i]
                cats = [c for c, v in zip(self.categories, row) if v >= 0.5] or [self.categories[int(row.argmax())]]
            out.append(Prediction(p_risk, p_crisis, level, cats))
        return out

    # -- saving ------------------------------------------------------------------------------
    def save(self, folder: Path, *, metrics: dict | None = None, card: str | None = None, threshold_notes: dict | None = None) -> None:
        """Write the model folder atomically (a failed save leaves the old folder intact)."""
        from eva_cli.atomic import atomic_dir

        with atomic_dir(folder) as tmp:
            (tmp / "config.json").write_text(json.dumps(self.config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            np.savez_compressed(tmp / "weights.npz", idf=self.idf, coef=self.coef, intercept=self.intercept,
                                cat_coef=self.cat_coef, cat_intercept=self.cat_intercept)
            th = {"elevated": self.thresholds.elevated, "crisis": self.thresholds.crisis, "by_lang": self.thresholds.by_lang or {},
                  **(threshold_notes or {})}
            (tmp / "thresholds.json").write_text(json.dumps(th, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            (tmp / "metrics.json").write_text(json.dumps(metrics or {}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            (tmp / "README.md").write_text(card or "", encoding="utf-8")
            for f in tmp.iterdir():
                f.chmod(0o644)

    @classmethod
    def load(cls, folder: str | Path) -> "SafetyClassifier":
        from eva_cli.errors import InputError

        folder = Path(folder)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            th = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
            w = np.load(folder / "weights.npz", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise InputError(f"safety model {folder}: cannot be read ({exc}).",
                             "Give a folder written by `eva safety train`, or rebuild the default with `eva safety train --default`.") from None
        if config.get("format") != FORMAT:
            raise InputError(f"safety model {folder}: format {config.get('format')!r} is not {FORMAT!r}.",
                             "Retrain it with this version of eva (`eva safety train`).")
        return cls(config, w["idf"], w["coef"], w["intercept"], w["cat_coef"], w["cat_intercept"],
                   Thresholds(float(th["elevated"]), float(th["crisis"]), th.get("by_lang") or None), path=folder)


# -- the process-wide model the screen uses -----------------------------------------------------
_LOCK = threading.Lock()
_LOADED: dict[str, SafetyClassifier | None] = {}


def model_setting() -> str:
    """EVA_SAFETY_MODEL: a model folder, "off" for rules only, or "default" (the built-in model)."""
    import os

    return os.environ.get("EVA_SAFETY_MODEL", "default").strip() or "default"


def default_classifier() -> SafetyClassifier | None:
    """The classifier the screen uses, loaded once per process; None when turned off.

    The built-in model is trained on the project's own messages (eva_cli/safety/corpus/) by
    `make setup`; if it is missing it is built here once (a few seconds) and cached.
    """
    key = model_setting()
    if key in _LOADED:
        return _LOADED[key]
    with _LOCK:
        if key not in _LOADED:
            if key.lower() in ("off", "0", "none", "rules"):
                _LOADED[key] = None
            elif key == "default":
                from eva_cli.safety.training import ensure_default_model

                _LOADED[key] = SafetyClassifier.load(ensure_default_model())
            else:
                _LOADED[key] = SafetyClassifier.load(key)
    return _LOADED[key]
