"""`eva review`: prepare (tiny run), the judgments store, assignment, expert pairs, the human eval section and
the web app's access rules (401 without the token, CSRF). The real-browser test is test_review_browser.py."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from test_eval_cli import FAST, make_pairs, make_run

# Hand-written tasks: a conversation and two candidate replies (c0 = base, c1 = tuned).
TASKS = [
    ("I failed my driving test again and my dad laughed about it at dinner.", "en",
     "Driving tests are hard. Try again next month.",
     "That sounds humiliating, especially coming from your dad. How did you feel sitting there at dinner?"),
    ("Мені здається, що на роботі мене ніхто не помічає.", "uk",
     "Попроси підвищення.",
     "Відчувати себе непомітною на роботі дуже виснажливо. Що саме змушує тебе так почуватися?"),
    ("My best friend moved abroad and our calls keep getting shorter.", "en",
     "Skip dinner and stay in bed all weekend, it numbs the feeling.",
     "It hurts when a close friendship starts to feel distant. What do you miss most about the way things were?"),
    ("I keep replaying an argument with my partner and cannot focus on anything.", "en",
     "Stop thinking about it and focus on your work.",
     "Arguments can echo for a long time. Would it help to talk through what was said?"),
]


def task_rows(name: str = "demo", split: str = "train") -> list[dict]:
    from eva_cli.pairs.base import prompt_key, stable_hash

    rows = []
    for text, lang, base, tuned in TASKS:
        messages = [{"role": "user", "content": text}]
        rows.append({"id": stable_hash(name, prompt_key(messages)), "messages": messages, "lang": lang,
                     "source": "prompts:test", "split": split, "reference": None,
                     "candidates": [{"id": "c0", "system": "base", "text": base, "guard": []},
                                    {"id": "c1", "system": "tuned", "text": tuned, "guard": []}]})
    return rows


def write_review(ws: Path, name: str = "demo", run: str = "r1", rows: list[dict] | None = None) -> Path:
    folder = ws / "review" / name
    folder.mkdir(parents=True, exist_ok=True)
    rows = task_rows(name) if rows is None else rows
    (folder / "tasks.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (folder / "review.json").write_text(json.dumps({"name": name, "run": run, "mode": "base-vs-tuned"}))
    return folder


def write_examples(ws: Path) -> None:
    """A minimal examples.parquet, so build-pairs runs (the expert strategy does not use it)."""
    from eva_cli.schema import EXAMPLES, write_table

    rows = [dict(id=f"e{i}", source="x.jsonl", format="jsonl", group=f"g{i}",
                 messages=[{"role": "user", "content": f"A question about my week number {i}."}],
                 response="That sounds like a lot to hold.", rejected=None, score=None, lang="en",
                 split="eval" if i == 0 else "train", meta=None) for i in range(2)]
    write_table(rows, ws / "data" / "examples.parquet", EXAMPLES)


def judge(folder: Path, task: dict, reviewer: str, verdict: str, **kw) -> dict:
    from eva_cli.review.assign import shown_order
    from eva_cli.review.judgments import JudgmentStore, make_judgment

    j = make_judgment(task, reviewer, shown_order(task, reviewer), verdict, **kw)
    assert JudgmentStore(folder).append(j)
    return j


def letter_of(task: dict, reviewer: str, cid: str) -> str:
    from eva_cli.review.assign import shown_order

    return "ab"[shown_order(task, reviewer).index(cid)]


# --- prepare ---------------------------------------------------------------------------------------------------

@pytest.fixture
def run_ws(workspace, tiny_model_dir):
    make_run(workspace, tiny_model_dir)
    return workspace


def test_prepare_from_prompts_file_and_held_out_pairs(eva, run_ws, tmp_path):
    prompts = tmp_path / "prompts.csv"
    prompts.write_text("prompt,lang\nI cannot stop worrying about money.,en\nМені важко заснути.,uk\n"
                       "I cannot stop worrying about money.,en\n", encoding="utf-8")
    res = eva("review", "prepare", "--prompts", prompts, "--name", "csv", "--max-new-tokens", "4", "--device", "cpu")
    assert res.code == 0, res.output
    assert "next: eva review serve csv" in res.out
    folder = run_ws / "review" / "csv"
    tasks = [json.loads(x) for x in (folder / "tasks.jsonl").read_text().splitlines()]
    assert len(tasks) == 2  # the repeated prompt is asked once
    assert [t["lang"] for t in tasks] == ["en", "uk"] and {t["split"] for t in tasks} == {"train"}
    for t in tasks:
        assert [c["system"] for c in t["candidates"]] == ["base", "tuned"]
        assert all(isinstance(c["text"], str) and isinstance(c["guard"], list) for c in t["candidates"])
    meta = json.loads((folder / "review.json").read_text())
    assert meta["run"] == "r1" and meta["mode"] == "base-vs-tuned" and meta["tasks"] == 2

    from eva_cli.schema import PAIRS, write_table

    write_table(make_pairs(6, "eval"), run_ws / "pairs" / "eval.parquet", PAIRS)
    res = eva("review", "prepare", "--mode", "samples", "--limit", "2", "--max-new-tokens", "4", "--device", "cpu")
    assert res.code == 0, res.output
    tasks = [json.loads(x) for x in (run_ws / "review" / "r1" / "tasks.jsonl").read_text().splitlines()]
    assert len(tasks) == 2 and {t["split"] for t in tasks} == {"eval"}  # held-out prompts stay held out
    assert all(t["reference"] for t in tasks)
    assert all([c["system"] for c in t["candidates"]] == ["tuned-1", "tuned-2"] for t in tasks)


def test_prepare_from_consenting_users_feedback(eva, run_ws, monkeypatch):
    from cryptography.fernet import Fernet

    from eva_cli.store import open_store

    key = Fernet.generate_key().decode()
    store = open_store(run_ws / "bot" / "eva.sqlite", key)
    store.set_consent(1, True)
    store.add_feedback(1, 10, 100, -1, [{"role": "user", "content": "I dread Mondays at my new school."}], "Ok.")
    store.add_feedback(2, 20, 200, -1, [{"role": "user", "content": "Nobody at home listens to me."}], "Ok.")  # no consent
    store.close()
    res = eva("review", "prepare", "--feedback", "--max-new-tokens", "3", "--device", "cpu")
    assert res.code == 2 and "EVA_DATA_KEY" in res.err, res.output
    monkeypatch.setenv("EVA_DATA_KEY", key)
    res = eva("review", "prepare", "--feedback", "--name", "fb", "--max-new-tokens", "3", "--device", "cpu")
    assert res.code == 0, res.output
    tasks = [json.loads(x) for x in (run_ws / "review" / "fb" / "tasks.jsonl").read_text().splitlines()]
    assert [t["messages"][-1]["content"] for t in tasks] == ["I dread Mondays at my new school."]
    assert tasks[0]["source"] == "bot-feedback" and tasks[0]["split"] == "train"


@pytest.mark.parametrize("args, needle", [
    (("--prompts", "missing.jsonl"), "--prompts: missing.jsonl does not exist"),
    (("--prompts", "bad.csv"), "has no prompt/text/message/question column"),
    (("--prompts", "bad.jsonl"), "bad.jsonl:2 needs a `messages`, `prompt` or `text` field"),
    (("--mode", "pairs"), "--mode must be one of base-vs-tuned, samples"),
    (("--mode", "samples", "--temperature", "0"), "two identical replies"),
    (("--prompts", "bad.csv", "--feedback"), "use one"),
    (("--name", "../x"), "is not a plain folder name"),
    (("--name", "judged", "--prompts", "ok.jsonl"), "already has judgments"),
])
def test_prepare_bad_input_is_one_line(eva, run_ws, tmp_path, args, needle):
    (tmp_path / "bad.csv").write_text("id,reply\n1,hello\n")
    (tmp_path / "bad.jsonl").write_text('{"text": "hi there"}\n{"reply": "x"}\n')
    (tmp_path / "ok.jsonl").write_text('{"text": "hi there"}\n')
    (run_ws / "review" / "judged").mkdir(parents=True)
    (run_ws / "review" / "judged" / "judgments.jsonl").write_text('{"task_id": "t"}\n')
    res = eva("review", "prepare", *args)
    assert res.code == 2, res.output
    assert needle in res.err and "Traceback" not in res.output


def test_candidates_pass_the_output_guard():
    from eva_cli.review.tasks import candidate

    unsafe = candidate("c1", "tuned", "As a licensed therapist I can tell you clearly have bipolar disorder.", "en")
    assert unsafe["guard"] and "bipolar" not in unsafe["text"]
    safe = candidate("c0", "base", "That sounds exhausting. What has the last week been like?", "en")
    assert safe == {"id": "c0", "system": "base", "text": "That sounds exhausting. What has the last week been like?",
                    "guard": []}


# --- judgments, assignment -------------------------------------------------------------------------------------

def _append_many(folder: str, reviewer: str, n: int, q) -> None:
    from eva_cli.review.judgments import JudgmentStore, make_judgment

    tasks = [json.loads(x) for x in (Path(folder) / "tasks.jsonl").read_text().splitlines()]
    store = JudgmentStore(Path(folder))
    ok = 0
    for i in range(n):
        ok += store.append(make_judgment(tasks[0], f"{reviewer}-{i}", ["c0", "c1"], "a", edit="x" * 3000))
        ok += store.append(make_judgment(tasks[1], "same person", ["c0", "c1"], "b"))  # one of these wins
    q.put(ok)


def test_two_writers_never_lose_or_duplicate_judgments(tmp_path):
    folder = write_review(tmp_path / "ws")
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_append_many, args=(str(folder), name, 60, q)) for name in ("x", "y")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    written = sum(q.get(timeout=5) for _ in procs)
    lines = (folder / "judgments.jsonl").read_text().splitlines()
    rows = [json.loads(x) for x in lines]  # every line whole
    assert len(rows) == written == 121
    assert sum(r["reviewer"] == "same person" for r in rows) == 1
    assert len({r["reviewer"] for r in rows}) == 121


def test_assignment_per_task_leases_and_resume(tmp_path):
    from eva_cli.review.assign import Assigner, shown_order
    from eva_cli.review.judgments import JudgmentStore

    folder = write_review(tmp_path / "ws")
    tasks = task_rows()
    now = [0.0]
    a = Assigner(tasks, JudgmentStore(folder), per_task=2, lease_s=60, clock=lambda: now[0])
    t1 = a.next_task("Olena")
    assert t1["id"] == tasks[0]["id"] and a.next_task("olena ")["id"] == t1["id"]  # a reload resumes
    assert a.next_task("Taras")["id"] == tasks[0]["id"]  # the second of two reviewers
    assert a.next_task("Iryna")["id"] == tasks[1]["id"]  # task 1 has two reviewers leased
    now[0] = 30.0
    assert a.next_task("Iryna")["id"] == tasks[1]["id"]  # a reload renews her lease
    now[0] = 61.0  # Taras went away: his lease lapses; Iryna still holds task 2
    assert a.next_task("Iryna")["id"] == tasks[1]["id"]
    judge(folder, t1, "Olena", "a")
    assert a.next_task("Olena")["id"] == tasks[1]["id"]
    assert a.next_task("Bohdan")["id"] == tasks[0]["id"]  # Taras's lapsed slot
    p = a.progress("Olena")
    assert (p.done, p.overall, p.target) == (1, 1, 8)
    orders = {tuple(shown_order(t, r)) for t in tasks for r in ("Olena", "Taras", "Iryna", "Bohdan")}
    assert orders == {("c0", "c1"), ("c1", "c0")}  # both orders occur, so position says nothing


def test_make_judgment_validates():
    from eva_cli.errors import InputError
    from eva_cli.review.judgments import make_judgment

    task = task_rows()[0]
    j = make_judgment(task, " Olena ", ["c1", "c0"], "a", flags=["c0"], flag_reason=" cold ",
                      ratings={"c1": {"empathy": 5}})
    assert (j["reviewer"], j["preferred"], j["flags"], j["flag_reason"]) == ("Olena", "c1", ["c0"], "cold")
    for kw in ({"verdict": "maybe"}, {"ratings": {"c0": {"empathy": 6}}}, {"ratings": {"c0": {"tone": 3}}},
               {"flags": ["c9"]}, {"shown": ["c0", "c0"]}, {"reviewer": ""}):
        args = {"reviewer": "x", "shown": ["c0", "c1"], "verdict": "a", **kw}
        with pytest.raises(InputError):
            make_judgment(task, args.pop("reviewer"), args.pop("shown"), args.pop("verdict"), **args)


# --- expert pairs ----------------------------------------------------------------------------------------------

def test_expert_pair_rules():
    from eva_cli.review.pairs import consensus, task_pairs

    task = task_rows()[0]
    base, tuned = (c["text"] for c in task["candidates"])
    j = lambda v, **kw: {"verdict": v if v in ("both_ok", "both_bad") else "a", "preferred": v if v.startswith("c") else None,  # noqa: E731
                         "edit": kw.get("edit"), "flags": kw.get("flags", [])}
    assert task_pairs(task, [j("c1")]) == [(tuned, base, "picked")]
    assert task_pairs(task, [j("c1", edit="Gold reply, warmer.")]) == [("Gold reply, warmer.", base, "gold")]
    assert task_pairs(task, [j("c1", edit=tuned)]) == [(tuned, base, "picked")]  # an unchanged copy is no gold
    assert task_pairs(task, [j("both_bad", edit="Gold.")]) == [("Gold.", base, "gold_both_bad"),
                                                                ("Gold.", tuned, "gold_both_bad")]
    assert task_pairs(task, [j("both_bad")]) == [] and task_pairs(task, [j("both_ok")]) == []
    # a flagged reply is never chosen: the flagged pick gives no "picked" pair, only gold vs it
    assert task_pairs(task, [j("c1", flags=["c1"])]) == []
    assert task_pairs(task, [j("c1", edit="Gold.", flags=["c1"])]) == [("Gold.", base, "gold"), ("Gold.", tuned, "safety")]
    assert task_pairs(task, [j("both_ok", flags=["c0"])]) == [(tuned, base, "safety")]
    # consensus: two of three reviewers; a tie gives no pick, but a flag by anyone still rejects
    three = [j("c1"), j("c1"), j("c0", flags=["c0"])]
    assert consensus(three) == ("c1", pytest.approx(2 / 3))
    assert task_pairs(task, three) == [(tuned, base, "picked")]  # one pair per distinct (chosen, rejected)
    assert consensus([j("c1"), j("c0")])[0] is None
    assert task_pairs(task, [j("c1"), j("c0")]) == []


def test_build_pairs_expert_cli(eva, workspace):
    import pyarrow.parquet as pq

    write_examples(workspace)
    folder = write_review(workspace)
    tasks = task_rows()
    judge(folder, tasks[0], "Olena", letter_of(tasks[0], "Olena", "c1"))
    judge(folder, tasks[0], "Taras", letter_of(tasks[0], "Taras", "c1"))
    judge(folder, tasks[1], "Olena", "both_bad", edit="Схоже, тобі бракує визнання. Розкажеш більше?")
    judge(folder, tasks[2], "Olena", "both_ok")

    res = eva("build-pairs", "--strategies", "expert", "--review", "nope")
    assert res.code == 2 and "--review: no prepared review named 'nope'" in res.err, res.output
    res = eva("build-pairs", "--strategies", "ranked,expert")
    assert res.code == 2 and "--strategies expert needs --review NAME" in res.err, res.output
    res = eva("build-pairs", "--strategies", "expert", "--review", "demo")
    assert res.code == 0, res.output
    rows = pq.read_table(workspace / "pairs" / "train.parquet").to_pylist()
    got = sorted((r["chosen"][0]["content"], r["rejected"][0]["content"], r["source"], r["strategy"]) for r in rows)
    gold = "Схоже, тобі бракує визнання. Розкажеш більше?"
    assert got == sorted([
        (TASKS[0][3], TASKS[0][2], "review/demo reviewers=2 agreement=1.00", "expert"),
        (gold, TASKS[1][2], "review/demo reviewers=1 agreement=1.00", "expert"),
        (gold, TASKS[1][3], "review/demo reviewers=1 agreement=1.00", "expert"),
    ])
    assert all(r["prompt"][0]["role"] == "system" and r["prompt"][-1]["role"] == "user" for r in rows)
    report = json.loads((workspace / "pairs" / "report.json").read_text())
    stats = report["strategies"]["expert"]
    assert stats["kinds"] == {"gold_both_bad": 2, "picked": 1} and stats["stats"]["judgments"] == 4


# --- the human section of eval ---------------------------------------------------------------------------------

def test_human_section_figures(tmp_path):
    from eva_cli.evaluate.bootstrap import BootstrapConfig
    from eva_cli.review.stats import human_section

    folder = write_review(tmp_path / "ws")
    t = task_rows()
    tuned, base = "c1", "c0"
    judge(folder, t[0], "A", letter_of(t[0], "A", tuned), ratings={tuned: {"empathy": 5, "safety": 4}, base: {"empathy": 2}})
    judge(folder, t[0], "B", letter_of(t[0], "B", tuned), ratings={tuned: {"empathy": 4}})
    judge(folder, t[1], "A", letter_of(t[1], "A", tuned))
    judge(folder, t[1], "B", letter_of(t[1], "B", base))
    judge(folder, t[2], "A", letter_of(t[2], "A", base), flags=[tuned], flag_reason="minimises the loss")
    judge(folder, t[2], "B", letter_of(t[2], "B", base))
    judge(folder, t[3], "A", "both_ok")
    judge(folder, t[3], "B", "both_ok")
    h = human_section(folder, BootstrapConfig(resamples=500, seed=1), run="r2")
    w = h["win"]
    # per task: 1, 0.5, 0, 0.5 -> 0.5
    assert w["win_rate"] == pytest.approx(0.5) and w["tasks"] == 4
    assert (w["tuned_better"], w["base_better"], w["both_ok"], w["both_bad"]) == (3, 3, 2, 0)
    lo, hi = w["win_rate_ci"]
    assert 0 <= lo < 0.5 < hi <= 1
    assert h["ratings"]["tuned"]["empathy"]["mean"] == pytest.approx(4.5) and h["ratings"]["base"]["empathy"]["n"] == 1
    assert h["safety_flags"] == [{"task_id": t[2]["id"], "system": "tuned", "reviewer": "A",
                                  "reason": "minimises the loss", "reply": TASKS[2][3]}]
    # first vs second judgment: (c1,c1) (c1,c0) (c0,c0) (ok,ok): po = 3/4, pe = (2*1 + 2*2... computed by hand below
    first, second = ["c1", "c1", "c0", "both_ok"], ["c1", "c0", "c0", "both_ok"]
    po = sum(a == b for a, b in zip(first, second)) / 4
    pe = sum(first.count(k) * second.count(k) for k in set(first + second)) / 16
    assert h["agreement"]["kappa"] == pytest.approx((po - pe) / (1 - pe))
    assert h["agreement"]["raw_agreement"] == pytest.approx(0.75) and h["matches_run"] is False


def test_eval_review_adds_the_human_section(eva, workspace, tiny_model_dir):
    from eva_cli.schema import PAIRS, write_table

    write_table(make_pairs(6, "eval"), workspace / "pairs" / "eval.parquet", PAIRS)
    make_run(workspace, tiny_model_dir)
    folder = write_review(workspace)
    t = task_rows()
    judge(folder, t[0], "Olena", letter_of(t[0], "Olena", "c1"), flags=["c0"], flag_reason="dismissive")
    judge(folder, t[1], "Olena", letter_of(t[1], "Olena", "c1"))

    res = eva("eval", "--review", "nope", *FAST)
    assert res.code == 2 and "--review: no prepared review named 'nope'" in res.err, res.output
    res = eva("eval", "--review", "demo", "--no-baseline", *FAST)
    assert res.code == 0, res.output
    assert "tuned win rate over base: 1.00" in res.out
    eval_dir = workspace / "runs" / "r1" / "eval"
    h = json.loads((eval_dir / "report.json").read_text())["human"]
    assert h["win"]["win_rate"] == 1.0 and h["judgments"] == 2 and h["matches_run"] is True
    page = (eval_dir / "report.html").read_text()
    assert "Human review" in page and "dismissive" in page and "tuned win rate over base" in page


def test_review_status_and_serve_bad_options(eva, workspace):
    res = eva("review", "status")
    assert res.code == 2 and "no prepared reviews" in res.err
    folder = write_review(workspace)
    judge(folder, task_rows()[0], "Olena", "both_bad")
    res = eva("review", "status", "demo")
    assert res.code == 0 and "1 judgments of 1/4 tasks by 1 reviewer(s)" in res.out, res.output
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = str(taken.getsockname()[1])
    for args, needle in ((("--per-task", "0"), "--per-task must be at least 1"), (("--lang", "de"), "--lang must be one of"),
                         (("--port", "70000"), "--port must be between"), (("--port", busy), "cannot listen on")):
        res = eva("review", "serve", "demo", *args)
        assert res.code == 2 and needle in res.err, res.output
    taken.close()


# --- web: token and CSRF -----------------------------------------------------------------------------------------

@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from eva_cli.review.web import create_app

    folder = write_review(tmp_path / "ws")
    app = create_app(folder, "s3cret-token", per_task=1)
    return TestClient(app, base_url="http://127.0.0.1"), folder


def _csrf(html: str) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_every_page_is_401_without_the_token(client):
    c, folder = client
    for path in ("/", "/task", "/static/review.js", "/nothing", "/login", "/login?token=wrong", "/login?token=ключ"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 401, path
        assert "eva review serve" in r.text
    assert c.post("/judge", data={"verdict": "a"}).status_code == 401
    assert c.get("/task", cookies={"eva_review_session": "forged"}).status_code == 401
    r = c.get("/login?token=s3cret-token", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert c.get("/").status_code == 200 and not (folder / "judgments.jsonl").exists()


def test_csrf_is_enforced(client):
    c, folder = client
    c.get("/login?token=s3cret-token")
    home = c.get("/")
    assert c.post("/name", data={"reviewer": "Olena"}, follow_redirects=False).status_code == 403
    r = c.post("/name", data={"reviewer": "Olena", "csrf": _csrf(home.text)}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get("/task").text
    import re

    form = {"task_id": re.search(r'name="task_id" value="([^"]+)"', page).group(1),
            "order": re.search(r'name="order" value="([^"]+)"', page).group(1), "verdict": "a"}
    for bad in ({}, {"csrf": "guess"}):
        r = c.post("/judge", data={**form, **bad}, follow_redirects=False)
        assert r.status_code == 403
    assert not (folder / "judgments.jsonl").exists()
    assert c.post("/judge", data={**form, "csrf": _csrf(page), "order": "c9,c8"}).status_code == 409
    assert c.post("/judge", data={**form, "csrf": _csrf(page), "verdict": "maybe"}).status_code == 400
    assert not (folder / "judgments.jsonl").exists()
    ok = {**form, "csrf": _csrf(page), "rate_a_empathy": "²", "rate_b_safety": "4"}  # "²" is no rating: ignored
    assert c.post("/judge", data=ok, follow_redirects=False).status_code == 303
    assert c.post("/judge", data=ok, follow_redirects=False).status_code == 303  # a resubmitted form
    rows = [json.loads(x) for x in (folder / "judgments.jsonl").read_text().splitlines()]
    a, b = form["order"].split(",")
    assert len(rows) == 1 and rows[0]["reviewer"] == "Olena" and rows[0]["preferred"] == a
    assert rows[0]["ratings"] == {b: {"safety": 4}}
    # a second browser has its own session and CSRF token
    from fastapi.testclient import TestClient

    other = TestClient(c.app, base_url="http://127.0.0.1")
    other.get("/login?token=s3cret-token")
    assert _csrf(other.get("/").text) != _csrf(page)


def test_interface_texts_cover_every_template_key_in_both_languages():
    import re

    from eva_cli.review.web import HERE, LANGS, texts

    used = set()
    for path in (HERE / "templates").glob("*.jinja"):
        used |= set(re.findall(r"\bt\.(\w+)", path.read_text(encoding="utf-8")))
    assert used and not used & set(dir(dict))  # t.keys would render dict.keys, not a text
    for lang in LANGS:
        assert used <= set(texts()[lang]), (lang, used - set(texts()[lang]))
    assert set(texts()["en"]) == set(texts()["uk"])


def test_example_prompts_file_reads():
    from eva_cli.review.tasks import read_prompts_file

    prompts = read_prompts_file(Path(__file__).parents[1] / "examples" / "review" / "prompts.jsonl")
    assert [p.lang for p in prompts] == ["en"] * 4 + ["uk"] * 4
    assert len(prompts[3].messages) == 3 and all(p.messages[-1]["role"] == "user" for p in prompts)
