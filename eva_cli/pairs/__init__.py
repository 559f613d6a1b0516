"""ORPO preference pairs: (prompt, chosen, rejected) built from the ingested examples.

One module per strategy (ranked, rewrite, mismatch, model, feedback), all behind the small
`Strategy` protocol in base.py; build.py runs them, cleans the result and writes the files.
"""

from eva_cli.pairs.base import ExampleSet, Pair, Strategy, StrategyContext

__all__ = ["ExampleSet", "Pair", "Strategy", "StrategyContext"]
