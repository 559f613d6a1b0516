"""Compare HTML-to-text libraries for `eva ingest` by fidelity and speed (issue 14).

Candidates: inscriptis, html2text and selectolax (the last as eva ships it: `eva_cli.ingest.clean.html_to_text`,
the parser plus a few lines that mark block tags as line breaks). Fidelity: the cases below, written for this benchmark (Word markup, hard wraps,
lists, entities, nested blocks); a case passes when the output, after eva's own whitespace
normalization, equals the expected text (any of "- ", "* ", "• " counts as a list bullet).
Speed: the HTML answers of the ingest benchmark's counselchat-shaped CSV (50,000 by default),
plus one Word-style answer in ten.

    .venv/bin/pip install inscriptis html2text selectolax    # only the chosen one is a dependency
    .venv/bin/python benchmarks/bench_html.py [--answers 50000]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_ingest import _reply  # noqa: E402

from eva_cli.ingest.clean import normalize_space  # noqa: E402

CASES = [
    ("word markup", '<p class=MsoNormal>Thank you for writing.<o:p></o:p></p>\n<p class=MsoNormal>'
                    '<span style="font-size:11pt">It takes courage.</span><o:p>&nbsp;</o:p></p>',
     "Thank you for writing.\n\nIt takes courage."),
    ("hard wraps", "<p>Grief does not follow\n   a schedule, and\nthat is normal.</p><p>Be gentle\nwith yourself.</p>",
     "Grief does not follow a schedule, and that is normal.\n\nBe gentle with yourself."),
    ("list", "<p>A few ideas:</p><ul><li>walk after dinner</li>\n<li>write it down</li></ul><p>Then rest.</p>",
     "A few ideas:\n\n- walk after dinner\n- write it down\n\nThen rest."),
    ("ordered list", "<ol><li>Breathe in</li><li>Breathe out</li></ol>",
     "1. Breathe in\n2. Breathe out"),
    ("line breaks", "Take care,<br>Olena<br/>Counselor", "Take care,\nOlena\nCounselor"),
    ("entities", "<p>It&#39;s &quot;fine&quot; &amp; x &lt; y&nbsp;&mdash; really</p>",
     "It's \"fine\" & x < y \u2014 really"),
    ("unknown tags", "<st1:city>Lviv</st1:city> is <font face=Arial>quiet</font> <xyz>today</xyz>.",
     "Lviv is quiet today."),
    ("markdown-like text", "<p>2020. A year *I* will remember, with #hope and under_scores.</p>",
     "2020. A year *I* will remember, with #hope and under_scores."),
    ("inline emphasis", "<p>You are <b>not</b> <em>alone</em> in <a href='http://x.org'>this</a>.</p>",
     "You are not alone in this."),
    ("comment and div", "<div>First<!-- note --></div><div>Second</div>", "First\nSecond"),
]

_BULLET = re.compile(r"(?m)^(?:\* |• |\+ )")
_NUMBERED = re.compile(r"(?m)^ *(\d+)\. ")


def _norm(text: str) -> str:
    text = _BULLET.sub("- ", "\n".join(line.strip() for line in text.split("\n")))
    return normalize_space(_NUMBERED.sub(r"\1. ", text))


def inscriptis_convert():
    from inscriptis import Inscriptis
    from inscriptis.model.config import ParserConfig
    from lxml.html import fromstring

    config = ParserConfig(display_links=False)
    return lambda html: Inscriptis(fromstring(html), config).get_text()


def html2text_convert():
    import html2text

    def convert(html: str) -> str:
        h = html2text.HTML2Text()
        h.body_width, h.ignore_links, h.ignore_emphasis, h.ignore_images = 0, True, True, True
        return h.handle(html)
    return convert


def selectolax_convert():
    """What eva ships: selectolax's parser plus a few lines that turn blocks into line breaks."""
    import selectolax  # noqa: F401  (ImportError when it is not installed)

    from eva_cli.ingest.clean import html_to_text
    return html_to_text


CANDIDATES = {"inscriptis": inscriptis_convert, "html2text": html2text_convert, "selectolax": selectolax_convert}


def corpus(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        paragraphs = _reply(rng, i, rng.randint(2, 5))
        if i % 10 == 0:  # a Word paste with hard wraps
            wrapped = [p.replace(", ", ",\n", 1) for p in paragraphs]
            out.append("".join(f"<p class=MsoNormal>{p}<o:p></o:p></p>\n" for p in wrapped))
        else:
            out.append("".join(f"<p>{p.replace(' and ', ' and&nbsp;', 1)}</p>" for p in paragraphs))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=50_000)
    args = ap.parse_args()
    docs = corpus(args.answers)
    print(f"{len(docs)} answers, {sum(map(len, docs)) / 1e6:.1f} MB of HTML; {len(CASES)} fidelity cases")
    print(f"{'library':<12} {'version':<10} {'fidelity':>9} {'seconds':>8} {'answers/s':>10}  failed cases")
    from importlib.metadata import version

    for name, make in CANDIDATES.items():
        try:
            convert = make()
        except ImportError:
            print(f"{name:<12} not installed")
            continue
        failed = [label for label, html, expected in CASES if _norm(convert(html)) != expected]
        t0 = time.process_time()
        for doc in docs:
            convert(doc)
        took = time.process_time() - t0
        print(f"{name:<12} {version(name):<10} {len(CASES) - len(failed):>4}/{len(CASES):<4} {took:>8.2f} "
              f"{len(docs) / took:>10,.0f}  {', '.join(failed) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
