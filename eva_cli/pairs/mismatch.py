"""`mismatch`: the rejected reply is a real therapist reply written for someone else.

It is fluent and kind, but wrong for this person: it comes from a different `group` (question or
conversation), in the same language and split, and from a different topic when ingest recorded
one in `meta`; without topics, from a reply that shares few content words with this example.
Only replies that may be chosen (see `base.ChosenQuality`) are chosen or lent as rejected.

Candidates are drawn at random for all examples at once (numpy), so the cost is linear.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterator

from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext, word_count

# Function words and the vocabulary every supportive reply shares: they say nothing about topic.
_STOPWORDS = frozenset("""
a about after again all also am an and any are as at be because been before being but by can can't could
did do does doing don't down during each even every feel feeling feelings few for from get getting go going
had has have having he her here hers him his how i i'm if in into is it it's its just know like make me
more most my myself no not now of off on once one only or other our out over own people really right same
she should so some such than that that's the their them then there these they thing things think this those
through time to too try under until up very want was way we were what when where which while who why will
with would you you're your yours yourself help helpful therapist therapy counselor counseling sounds seems
lot much may might maybe need sure well able
і й та але а що як це то ти ви я мені мене тобі тебе вам вас він вона вони ми нас нам його її їх мій моя
моє мої твій твоя твоє твої свій своя своє свої у в на з із зі до від для про по при за під над через
не ні так чи би б ж же вже ще дуже також тому бо коли якщо щоб де хто що який яка яке які цей ця ці
той та те ті все усе всі усі себе собі було був була були є буде бути може можна треба можете можеш
дуже просто тут там зараз часто іноді почуття відчуття відчуваєте відчуваєш думаю здається
""".split())
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_SIGNATURE_WORDS = 80


def content_words(text: str) -> frozenset[str]:
    """The topical words of a text (its first 80 words of three letters or more, no stopwords)."""
    words = _WORD.findall(text.lower())[:_SIGNATURE_WORDS]
    return frozenset(w for w in words if w not in _STOPWORDS)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two word sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class MismatchStrategy:
    name = "mismatch"
    note_when_empty = "no reply from a different group and topic in the same language and split"

    def __init__(self, max_overlap: float = 0.2, tries: int = 12) -> None:
        self.max_overlap = max_overlap
        self.tries = tries
        self.stats: dict = {"kinds": Counter(), "no_candidate": 0, "by_topic": 0, "by_overlap": 0, "chosen_not_best": 0}

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        import numpy as np

        ex = examples
        n = len(ex)
        counts = ctx.counts(n)
        longer = ctx.want_longer(n)
        group_code = _codes(ex.groups)
        topic_code = _codes(ex.topics, missing=-1)
        lengths = np.fromiter((word_count(r) for r in ex.responses), dtype=np.int64, count=n)
        has_reply = lengths > 0
        # a lower-scored answer is neither chosen nor lent: it appears only as rejected in `ranked` pairs
        donor = has_reply & np.fromiter((ctx.may_choose(i) for i in range(n)), dtype=bool, count=n)

        partitions: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i in range(n):
            partitions[(ex.splits[i], ex.langs[i])].append(i)

        signatures: dict[int, frozenset[str]] = {}

        def signature(i: int, with_prompt: bool) -> frozenset[str]:
            key = i if not with_prompt else -1 - i
            if key not in signatures:
                text = ex.responses[i] + (" " + ex.user_texts[i] if with_prompt else "")
                signatures[key] = content_words(text)
            return signatures[key]

        for key in sorted(partitions):
            idx = np.asarray(partitions[key], dtype=np.int64)
            if len(idx) < 2:
                self.stats["no_candidate"] += int((counts[idx] > 0).sum())
                continue
            tries = self.tries * max(1, int(counts[idx].max()))
            cand = idx[ctx.rng.integers(0, len(idx), size=(len(idx), tries))]
            own = idx[:, None]
            ok = (group_code[cand] != group_code[own]) & donor[cand]
            both_topics = (topic_code[own] >= 0) & (topic_code[cand] >= 0)
            ok &= ~both_topics | (topic_code[cand] != topic_code[own])
            if longer is not None:
                # --length-match: candidates on the wanted side of the chosen length come first
                side_ok = np.where(longer[own], lengths[cand] > lengths[own], lengths[cand] < lengths[own])
                order = np.argsort(~(ok & side_ok), axis=1, kind="stable")
                cand = np.take_along_axis(cand, order, axis=1)
                ok = np.take_along_axis(ok, order, axis=1)
                both_topics = np.take_along_axis(both_topics, order, axis=1)
            for row, i in enumerate(idx.tolist()):
                k = int(counts[i])
                if k == 0 or not has_reply[i]:
                    continue
                if not ctx.may_choose(i):
                    self.stats["chosen_not_best"] += 1
                    continue
                picked: list[int] = []
                for col in np.flatnonzero(ok[row]).tolist():
                    j = int(cand[row, col])
                    if j in picked or ex.responses[j] == ex.responses[i]:
                        continue
                    if not both_topics[row, col]:
                        if overlap(signature(i, True), signature(j, False)) > self.max_overlap:
                            continue
                        self.stats["by_overlap"] += 1
                    else:
                        self.stats["by_topic"] += 1
                    picked.append(j)
                    if len(picked) == k:
                        break
                if not picked:
                    self.stats["no_candidate"] += 1
                for j in picked:
                    self.stats["kinds"]["off_topic"] += 1
                    yield Pair(ex.ids[i], ex.messages[i], ex.responses[i], ex.responses[j], self.name,
                               ex.sources[i], ex.langs[i], ex.splits[i], ex.prompt_keys[i], "off_topic")


def _codes(values: list, missing: int | None = None):
    """Integer codes for values; None becomes `missing` when given."""
    import numpy as np

    table: dict = {}
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if v is None and missing is not None:
            out[i] = missing
        else:
            out[i] = table.setdefault(v, len(table))
    return out
