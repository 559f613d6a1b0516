"""`eva eval`: reward margins base vs tuned (TRL-ORPO definitions), generation metrics, an optional LLM judge,
and a report (report.json, report.html, samples.md) under runs/<run>/eval/.

Modules: options (EvalOptions), margins (batched log-probs), bootstrap (CIs), textmetrics + embedding
(generation metrics), judge (OpenAI-compatible rater), report (json/html/table), runner (`run_eval`).
"""
