"""The words shortcut per rewrite kind and for the default pairs, on the bundled corpus (issue 14).

1. `eva ingest examples/corpus` into a temporary workspace;
2. `build-pairs --strategies rewrite --pairs-per-example 9` with the kinds' weights set aside: every
   eligible kind for every example, so each kind's text is measured on the same prompts and as many
   pairs; prints the bag-of-words accuracy per kind;
3. `build-pairs` with the defaults: the accuracy overall and per strategy, and the rewrite kinds' counts.

    .venv/bin/python benchmarks/shortcut_kinds.py [--corpus examples/corpus] [--seed 42]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from eva_cli.ingest import IngestOptions, run_ingest
    from eva_cli.pairs import rewrite
    from eva_cli.pairs.build import BuildOptions, build_pairs
    from eva_cli.workspace import Workspace

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "examples" / "corpus")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="eva-shortcut-") as tmp:
        ws = Workspace(Path(tmp) / "ws")
        run_ingest([args.corpus], IngestOptions(), ws)
        for lang in rewrite.LANGS:  # weights set aside: the text of every kind, measured alike
            taxonomy = rewrite.load_taxonomy(lang)
            taxonomy.update({name: dataclasses.replace(kind, weight=1.0) for name, kind in taxonomy.items()})
        every = build_pairs(BuildOptions(strategies=("rewrite",), pairs_per_example=9, seed=args.seed), ws).report
        rewrite.load_taxonomy.cache_clear()
        rewrite.fitting.cache_clear()
        rewrite.eligible_kinds.cache_clear()
        words = every["shortcut"]["words"]
        kinds = every["strategies"]["rewrite"].get("kinds", {})
        print(f"rewrite, every kind ({every['pairs']['total']} pairs): accuracy {words['accuracy']}")
        print(f"{'kind':<18} {'accuracy':>9} {'pairs':>6}")
        for kind, acc in words["by_rewrite_kind"].items():
            print(f"{kind:<18} {acc if acc is not None else '-':>9} {kinds.get(kind, 0):>6}")
        default = build_pairs(BuildOptions(seed=args.seed), ws).report
        words = default["shortcut"]["words"]
        print(f"default build ({default['pairs']['total']} pairs): accuracy {words['accuracy']}, by strategy "
              + ", ".join(f"{k} {v}" for k, v in words["by_strategy"].items()))
        print("rewrite kinds in the default build:", default["strategies"]["rewrite"].get("kinds", {}))
        print("chosen rank:", default["chosen_rank"]["all"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
