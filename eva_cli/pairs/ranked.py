"""`ranked`: real human preference.

- A source that carries a rejected reply (the `preference` format) gives that pair directly.
- Several answers to one prompt with different scores (counsel-chat upvotes): the best-scored
  answer (or one within the margin of `ChosenQuality`) is chosen, a lower-scored one rejected; a
  lower-scored answer is never chosen. Ties are skipped. Answers count as answers to one prompt
  when they share the `group` and the prompt text.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Iterator

from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext


class RankedStrategy:
    name = "ranked"
    note_when_empty = "no example carries a rejected reply, and no prompt has answers with different scores"

    def __init__(self) -> None:
        self.stats: dict = {"kinds": Counter(), "scored_prompts": 0, "ties_skipped": 0, "chosen_not_best": 0}

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        n = len(examples)
        counts = ctx.counts(n)
        rng = random.Random(int(ctx.rng.integers(2**62)))
        yield from self._carried(examples, counts, ctx)
        yield from self._scored(examples, counts, rng, ctx)

    def _carried(self, ex: ExampleSet, counts, ctx: StrategyContext) -> Iterator[Pair]:
        for i, rejected in enumerate(ex.rejected):
            if not rejected or counts[i] == 0 or not ex.responses[i]:
                continue
            if not ctx.may_choose(i):
                self.stats["chosen_not_best"] += 1
                continue
            self.stats["kinds"]["rejected"] += 1
            yield Pair(ex.ids[i], ex.messages[i], ex.responses[i], rejected, self.name,
                       ex.sources[i], ex.langs[i], ex.splits[i], ex.prompt_keys[i], "rejected")

    def _scored(self, ex: ExampleSet, counts, rng: random.Random, ctx: StrategyContext) -> Iterator[Pair]:
        buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, score in enumerate(ex.scores):
            if score is not None and ex.responses[i]:
                buckets[(ex.groups[i], ex.prompt_keys[i])].append(i)
        for key in sorted(buckets):
            members = buckets[key]
            if len(members) < 2:
                continue
            self.stats["scored_prompts"] += 1
            members.sort(key=lambda j: (-ex.scores[j], ex.ids[j]))
            for pos, i in enumerate(members):
                k = int(counts[i])
                lower = [j for j in members[pos + 1:] if ex.scores[j] < ex.scores[i]]
                self.stats["ties_skipped"] += sum(1 for j in members[pos + 1:] if ex.scores[j] == ex.scores[i])
                if k == 0 or not lower:
                    continue
                if not ctx.may_choose(i):
                    self.stats["chosen_not_best"] += 1
                    continue
                for j in rng.sample(lower, min(k, len(lower))):
                    if ex.responses[i] == ex.responses[j]:
                        continue  # (near-identical texts are dropped later, for every strategy)
                    self.stats["kinds"]["scores"] += 1
                    yield Pair(ex.ids[i], ex.messages[i], ex.responses[i], ex.responses[j], self.name,
                               ex.sources[i], ex.langs[i], ex.splits[i], ex.prompt_keys[i], "scores")
