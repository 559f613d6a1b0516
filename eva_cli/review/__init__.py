"""`eva review`: counselors compare, correct and rate Eva's replies; their judgments become pairs and an evaluation.

- tasks.py      `eva review prepare`: prompts -> two guarded candidate replies each -> tasks.jsonl (atomic)
- judgments.py  judgments.jsonl: locked, atomic appends; one judgment per reviewer and task
- assign.py     which task a reviewer sees next (--per-task N reviewers per task, resume after a reload)
- pairs.py      the `expert` pair strategy for `eva build-pairs --review NAME`
- stats.py      the human section of `eva eval --review NAME` (win rate, ratings, flags, agreement)
- web.py        `eva review serve`: the FastAPI + Jinja page (templates/, static/, texts.yaml)

Folder: workspace/review/<name>/{review.json, tasks.jsonl, judgments.jsonl}.
"""
