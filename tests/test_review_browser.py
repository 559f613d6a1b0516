"""`eva review serve` in a real browser: Debian's chromium driven by Playwright (never a downloaded build).

One counselor logs in with the printed URL, switches the language, judges four tasks by click and by
keyboard, edits a reply, flags one, reloads mid-way; then judgments.jsonl must hold exactly that, and
`eva build-pairs --strategies expert` must make exactly the pairs those judgments imply. Any JavaScript
error on a page fails the test. The screenshot goes to $EVA_REVIEW_SCREENSHOT (docs/img/review.png is one).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_review import task_rows, write_examples, write_review

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browser_or_skip():
    reason = None
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason is None and not CHROMIUM.is_file():
        reason = f"no {CHROMIUM} (apt-get install chromium; `make setup` does it as root)"
    if reason:
        if os.environ.get("EVA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"EVA_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(workspace):
    """`eva review serve demo` as a real process; yields (login URL, review folder)."""
    _browser_or_skip()
    folder = write_review(workspace)
    write_examples(workspace)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "eva_cli", "-w", str(workspace), "review", "serve", "demo",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    try:
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            if "/login?token=" in line:
                url = line.split("open ", 1)[1].strip()
        assert url and url.startswith(f"http://127.0.0.1:{port}/login?token="), "no login URL printed"
        for _ in range(100):  # the URL is printed just before uvicorn binds
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield url, folder
    finally:
        proc.terminate()
        proc.wait(10)


def test_counselor_judges_in_chromium(server, eva, workspace, tmp_path):
    from playwright.sync_api import sync_playwright

    url, folder = server
    texts = {t["id"]: {c["id"]: c["text"] for c in t["candidates"]} for t in task_rows()}
    errors: list[str] = []
    shot = Path(os.environ.get("EVA_REVIEW_SCREENSHOT") or tmp_path / "review.png")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)

        def shown() -> tuple[str, list[str]]:
            return (page.input_value("input[name=task_id]"), page.input_value("input[name=order]").split(","))

        page.goto(url)
        assert "token=" not in page.url  # the token left the address bar
        page.fill("#reviewer", "Olena")
        with page.expect_navigation(url="**/task"):
            page.keyboard.press("Enter")
        with page.expect_navigation():
            page.click("#switch-lang")
        assert page.locator("button[data-key='1']").inner_text().startswith("A краща")
        with page.expect_navigation():
            page.click("#switch-lang")
        assert page.locator("button[data-key='1']").inner_text().startswith("A is better")
        assert "1 A better · 2 B better" in page.inner_text("main")

        done = []
        # 1: by click, with ratings of reply A
        tid, order = shown()
        page.check("input[name=rate_a_empathy][value='5']")
        page.check("input[name=rate_b_relevance][value='2']")
        with page.expect_navigation():
            page.click("button[data-key='1']")
        done.append((tid, order, "a", None, [], {order[0]: {"empathy": 5}, order[1]: {"relevance": 2}}))
        # 2: by keyboard
        tid, order = shown()
        assert tid != done[0][0]
        with page.expect_navigation():
            page.keyboard.press("2")
        done.append((tid, order, "b", None, [], {}))
        # 3: start an edit, reload mid-way: the same task comes back, unjudged
        tid, order = shown()
        page.keyboard.press("b")
        page.keyboard.type(" Whatever happens, you do not have to sort it out alone.")
        page.reload()
        assert shown() == (tid, order) and page.input_value("#edit") == ""
        # ... now edit the warm reply (c1) for real: copy it by key, type; flag the harmful one (c0) with a
        # reason, rate, and choose the warm one by its digit key
        good, bad = "ab"[order.index("c1")], "ab"[order.index("c0")]
        page.keyboard.press(good)
        added = " Would it help to plan one call that fits both your time zones?"
        page.keyboard.type(added)
        page.keyboard.press("Escape")
        page.check(f"#flag-{bad}")
        page.fill("#flag_reason", "suggests skipping meals to numb feelings")
        page.keyboard.press("Escape")  # out of the text box, so digits are shortcuts again
        page.check(f"input[name=rate_{good}_empathy][value='5']")
        page.check(f"input[name=rate_{bad}_safety][value='1']")
        page.screenshot(path=str(shot))
        with page.expect_navigation():
            page.keyboard.press("1" if good == "a" else "2")
        gold3 = texts[tid]["c1"] + added
        done.append((tid, order, good, gold3, ["c0"], {"c1": {"empathy": 5}, "c0": {"safety": 1}}))
        # 4: both unacceptable, with a reply written from scratch, by click
        tid, order = shown()
        gold4 = "That argument is still with you. What part of it keeps coming back?"
        page.fill("#edit", gold4)
        with page.expect_navigation():
            page.click("button[data-key='4']")
        done.append((tid, order, "both_bad", gold4, [], {}))
        assert "4 of 4" in page.inner_text("#done")
        browser.close()
    assert errors == [], errors
    assert shot.is_file() and shot.stat().st_size > 10_000

    rows = [json.loads(x) for x in (folder / "judgments.jsonl").read_text().splitlines()]
    got = [(r["task_id"], r["shown"], r["verdict"], r["edit"], r["flags"], r["ratings"]) for r in rows]
    assert got == [(t, o, v, e, f, r) for t, o, v, e, f, r in done]
    assert {r["reviewer"] for r in rows} == {"Olena"}
    assert rows[2]["flag_reason"] == "suggests skipping meals to numb feelings"

    import pyarrow.parquet as pq

    res = eva("build-pairs", "--strategies", "expert", "--review", "demo")
    assert res.code == 0, res.output
    pairs = {(r["chosen"][0]["content"], r["rejected"][0]["content"])
             for r in pq.read_table(workspace / "pairs" / "train.parquet").to_pylist()}
    (t1, o1, *_), (t2, o2, *_), (t3, o3, *_), (t4, o4, *_) = done
    expected = {
        (texts[t1][o1[0]], texts[t1][o1[1]]),           # A better
        (texts[t2][o2[1]], texts[t2][o2[0]]),           # B better
        (gold3, texts[t3]["c0"]),                       # the warm reply better, edited: gold vs the other
        (texts[t3]["c1"], texts[t3]["c0"]),             # the flagged reply is rejected against the unflagged pick too
        (gold4, texts[t4]["c0"]), (gold4, texts[t4]["c1"]),  # both unacceptable + gold: gold vs both
    }
    assert pairs == expected
    assert set(texts) == {t for t, *_ in done}  # every task judged once


def test_a_missing_browser_skips_unless_required(monkeypatch):
    import test_review_browser as this

    monkeypatch.setattr(this, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("EVA_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no /nonexistent/chromium"):
        this._browser_or_skip()
    monkeypatch.setenv("EVA_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="EVA_REQUIRE_BROWSER=1"):
        this._browser_or_skip()
