"""The learned layer: `eva safety train` on small fixtures written here, reloading, and `--evaluate` with column flags."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from eva_cli.safety import screen
from eva_cli.safety.labelled import LabelColumns, read_labelled
from eva_cli.safety.learned import SafetyClassifier
from eva_cli.safety.training import SafetyTrainConfig, train

AT_RISK = [
    "i keep thinking everyone would be better off without me around",
    "sunday is the day, i have made my peace with it",
    "what is the least painful way to go, please do not lecture me",
    "wrote letters to my sisters tonight, they will understand later",
    "i cut deeper this time and it did not even sting",
    "nothing matters, i just want to stop existing",
    "я вже все вирішила, в суботу все закінчиться",
    "мені здається, що всім буде легше без мене",
    "роздала свої речі подругам, більше не знадобляться",
    "ya ne hochu bilshe prokydatys zranku",
    "this is my last week, i have already said goodbye to my dog",
    "i know which train she takes home and i will be waiting",
]
NOT_AT_RISK = [
    "this traffic is killing me, forty minutes and we moved a block",
    "my exam is on sunday and i have not even opened the book",
    "i'm dying to see the new season of that show",
    "finally finished my thesis tonight, going to sleep for a week",
    "we crushed it at the concert, the crowd went wild",
    "my phone is dead again, the battery is a joke",
    "сьогодні вмираю від сміху з цього мема",
    "завтра іспит, а я ще нічого не повторила",
    "ця черга в банку мене доконає, вже година стою",
    "ya duzhe vtomylas pislia roboty, ale vse normalno",
    "giving away my old clothes before the move to the new flat",
    "my grandmother's cat got sick and we took her to the vet",
]


def _write_binary_csv(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["message", "label"])
        for t in AT_RISK:
            w.writerow([t, "at_risk"])
        for t in NOT_AT_RISK:
            w.writerow([t, "ok"])
    return path


def _write_levels_jsonl(path: Path) -> Path:
    rows = [{"text": t, "expected_risk": "crisis" if i % 2 else "elevated", "categories": ["suicidal_ideation_active"]}
            for i, t in enumerate(AT_RISK)]
    rows += [{"text": t, "expected_risk": "none", "categories": []} for t in NOT_AT_RISK]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_binary_labels_map_with_positive(tmp_path):
    rows = read_labelled(_write_binary_csv(tmp_path / "m.csv"), LabelColumns(text="message", label="label", positive=("at_risk",)), flag="x")
    assert [r.level for r in rows].count("elevated") == len(AT_RISK)
    assert [r.level for r in rows].count("none") == len(NOT_AT_RISK)


def test_train_writes_a_versioned_folder_that_reloads_with_the_same_verdicts(tmp_path):
    out = tmp_path / "model"
    result = train([_write_levels_jsonl(tmp_path / "m.jsonl")], out, SafetyTrainConfig(folds=3))
    for name in ("config.json", "weights.npz", "thresholds.json", "metrics.json", "README.md"):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert config["format"] == "eva-safety-classifier/1" and config["n"] == len(AT_RISK) + len(NOT_AT_RISK)
    th = json.loads((out / "thresholds.json").read_text())
    assert 0 < th["elevated"] <= 1.01 and th["elevated_why"]
    assert result.dev["all"]["any_risk_recall"] is not None
    assert "Development folds" in (out / "README.md").read_text()

    probes = AT_RISK[:3] + NOT_AT_RISK[:3] + ["a message the model never saw about the weather"]
    fitted = SafetyClassifier.load(out)
    again = SafetyClassifier.load(out)
    first = [(p.level, round(p.p_risk, 6), p.categories) for p in fitted.predict(probes)]
    assert first == [(p.level, round(p.p_risk, 6), p.categories) for p in again.predict(probes)]
    verdicts = [screen(p, classifier=fitted, embeddings=False).to_dict() for p in probes]
    assert verdicts == [screen(p, classifier=again, embeddings=False).to_dict() for p in probes]
    # the classifier's probability is in the reasons; the JSON shape is the screen's usual one
    assert all(any(r.startswith("classifier p(risk)=") or "classifier p(risk)=" in r for r in v["reasons"]) for v in verdicts)
    assert set(verdicts[0]) == {"text", "risk", "categories", "lang", "reasons"}


def test_cli_train_binary_and_evaluate_with_column_flags(eva, tmp_path):
    data = _write_binary_csv(tmp_path / "mine.csv")
    out = tmp_path / "mine-model"
    r = eva("safety", "train", data, "--text-column", "message", "--label-column", "label", "--positive", "at_risk",
            "--folds", "3", "--out", out, "--json")
    assert r.code == 0, r.output
    rep = json.loads(r.out)
    assert rep["counts"] == {"none": len(NOT_AT_RISK), "elevated": len(AT_RISK), "crisis": 0}
    assert (out / "weights.npz").is_file()

    r = eva("safety", "--model", out, "--no-embed", "--json", "--evaluate", data,
            "--text-column", "message", "--label-column", "label", "--positive", "at_risk")
    assert r.code == 0, r.output
    ev = json.loads(r.out)
    assert ev["n"] == len(AT_RISK) + len(NOT_AT_RISK)
    for key in ("any_risk_recall", "precision", "false_positive_rate_all", "pr_curve"):
        assert key in ev
    assert ev["pr_curve"] and {"threshold", "precision", "recall", "fpr"} <= set(ev["pr_curve"][0])
    assert any(p["model_threshold"] for p in ev["pr_curve"])
    # recall and FPR agree with the verdicts the same model gives one message at a time
    model = SafetyClassifier.load(out)
    flagged = [screen(t, classifier=model, embeddings=False).risk != "none" for t in AT_RISK + NOT_AT_RISK]
    assert ev["any_risk_recall"] == round(sum(flagged[: len(AT_RISK)]) / len(AT_RISK), 4)
    assert ev["false_positive_rate_all"]["false_positives"] == sum(flagged[len(AT_RISK):])

    r = eva("safety", "--model", out, "--no-embed", "--evaluate", data, "--text-column", "message", "--label-column", "label",
            "--positive", "at_risk")
    assert r.code == 0 and "Definitions" in r.out


@pytest.mark.parametrize("args, needle", [
    (["--text-column", "nope"], "--text-column"),
    (["--text-column", "message", "--label-column", "label"], "--positive"),
])
def test_train_bad_columns_are_one_line_errors(eva, tmp_path, args, needle):
    data = _write_binary_csv(tmp_path / "mine.csv")
    r = eva("safety", "train", data, "--out", tmp_path / "m", *args)
    assert r.code == 2 and needle in r.err and "Traceback" not in r.output
    assert not (tmp_path / "m").exists()


def test_train_without_files_and_a_broken_model_folder(eva, tmp_path):
    r = eva("safety", "train")
    assert r.code == 2 and "--default" in r.err
    (tmp_path / "broken").mkdir()
    r = eva("safety", "--model", tmp_path / "broken", "hello")
    assert r.code == 2 and "safety model" in r.err and "Traceback" not in r.output


def test_default_setting_resolves_to_the_built_in_model(monkeypatch):
    from eva_cli.safety import learned
    from eva_cli.safety.training import default_model_dir

    monkeypatch.setattr(learned, "_LOADED", {})
    monkeypatch.setenv("EVA_SAFETY_MODEL", "default")
    model = learned.default_classifier()
    assert model is not None and model.path == default_model_dir()
    from eva_cli.safety.training import corpus_files

    assert model.config["trained_on"] == [p.name for p in corpus_files()] and model.config["n"] > 3000
    monkeypatch.setenv("EVA_SAFETY_MODEL", "off")
    assert learned.default_classifier() is None
    assert screen("I want to end my life tonight", embeddings=False).risk == "crisis"  # the rules still screen
