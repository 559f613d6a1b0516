"""esconv: Emotional Support Conversation dialogs.

Two shapes: the raw `ESConv.json` list (speaker seeker/supporter, or speaker/listener as in the
repository's `FailedESConv.json`; `content`, `annotation`
with `strategy` or `feedback`, `emotion_type`, `problem_type`, `situation`, `survey_score`
as strings) and the Hugging Face line form, a single `text` column holding each dialog as
JSON (speaker usr/sys, `text`, `strategy`). Consecutive turns of one speaker are merged;
each supporter turn becomes one example with everything before it as the messages. The
seeker's next feedback rating (1-5), when given, is the score.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from eva_cli.ingest.adapters.base import Adapter, Drop, Item, dialog_items, text_of, to_float
from eva_cli.ingest.readers import Records

# The spellings of the two roles seen in ESConv releases and their copies (lower case, "-"/"_"/" " dropped).
_SPEAKERS = {
    **dict.fromkeys(("seeker", "helpseeker", "usr", "user", "speaker", "client", "patient"), "user"),
    **dict.fromkeys(("supporter", "sys", "system", "listener", "helper", "counselor", "counsellor", "therapist",
                     "assistant", "bot"), "assistant"),
}
ROLE_SPELLINGS = "seeker/supporter, usr/sys, speaker/listener, help-seeker/helper"


def speaker_role(value: Any) -> str | None:
    """'Seeker', 'help-seeker', 'listener', ... -> user | assistant; None for an unknown speaker."""
    key = str(value).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    return _SPEAKERS.get(key)
_DIALOG_META = ("emotion_type", "problem_type", "experience_type", "situation")


def _is_dialog(value: Any) -> bool:
    turns = value.get("dialog") if isinstance(value, dict) else None
    return isinstance(turns, list) and bool(turns) and isinstance(turns[0], dict) and (
        speaker_role(turns[0].get("speaker", "")) is not None)


def explain(records: Records) -> str | None:
    """Why a file with a `dialog` column is not read as ESConv: what its turns look like."""
    if "dialog" not in records.colset:
        return None
    for row in records.sample(20):
        turns = row.get(records.key("dialog"))
        if not isinstance(turns, list) or not turns:
            return f"column dialog matched, but it holds {type(turns).__name__}, not a list of turns"
        if not isinstance(turns[0], dict):
            return "column dialog matched, but its turns are not objects with speaker and content"
        speakers = sorted({str(t.get("speaker")) for t in turns if isinstance(t, dict)})[:4]
        if "speaker" not in turns[0]:
            keys = ", ".join(sorted(map(str, turns[0]))[:6]) or "none"
            return f"column dialog matched, but its turns have no speaker key (keys: {keys})"
        return (f"column dialog matched, but the speakers are {', '.join(speakers)} "
                f"(esconv reads {ROLE_SPELLINGS})")
    return None


def detect(records: Records) -> bool:
    sample = records.sample(20)
    if "dialog" in records.colset:
        return any(_is_dialog(r) for r in sample)
    text = records.key("text")
    if text and len(records.columns) <= 2:
        for row in sample:
            value = row.get(text)
            if isinstance(value, str) and value.lstrip().startswith("{") and '"dialog"' in value:
                try:
                    return _is_dialog(json.loads(value))
                except json.JSONDecodeError:
                    continue
    return False


def convert(records: Records) -> Iterator[Item]:
    text_col = None if "dialog" in records.colset else records.key("text")
    for index, row in enumerate(records.iter_rows()):
        dialog = row
        if text_col is not None:
            try:
                dialog = json.loads(row.get(text_col) or "")
            except (json.JSONDecodeError, TypeError):
                yield Drop("malformed")
                continue
        if not _is_dialog(dialog):
            yield Drop("malformed")
            continue
        yield from _dialog(dialog, index)


def _dialog(dialog: dict, index: int) -> Iterator[Item]:
    turns, notes = [], []
    for turn in dialog["dialog"]:
        role = speaker_role(turn.get("speaker", "")) if isinstance(turn, dict) else None
        if role is None:
            yield Drop("malformed")
            return
        annotation = turn.get("annotation") if isinstance(turn.get("annotation"), dict) else {}
        turns.append({"role": role, "content": text_of(turn.get("content", turn.get("text")))})
        notes.append({"strategy": annotation.get("strategy", turn.get("strategy")),
                      "feedback": annotation.get("feedback", turn.get("feedback"))})
    meta = {k: text_of(dialog.get(k)).strip() for k in _DIALOG_META if text_of(dialog.get(k)).strip()}
    meta["dialog"] = index
    survey = dialog.get("survey_score")
    if isinstance(survey, dict):
        seeker = survey.get("seeker") if isinstance(survey.get("seeker"), dict) else {}
        for key in ("initial_emotion_intensity", "final_emotion_intensity"):
            if to_float(seeker.get(key)) is not None:
                meta[key] = to_float(seeker.get(key))

    def strategies(i: int, blocks, extras) -> dict:
        found = [n["strategy"] for n in extras[i] if n and n.get("strategy")]
        return {"strategy": found} if found else {}

    def feedback(i: int, blocks, extras) -> float | None:
        if i + 1 < len(blocks) and blocks[i + 1]["role"] == "user":
            for note in extras[i + 1]:
                if note and to_float(note.get("feedback")) is not None:
                    return to_float(note.get("feedback"))
        return None

    yield from dialog_items(turns, f"dialog-{index}", meta, extra=notes, block_meta=strategies, score=feedback)


ADAPTER = Adapter(
    name="esconv",
    summary="ESConv emotional-support dialogs: raw ESConv.json, or the HF form with one JSON `text` column",
    fields=f"dialog[{{speaker {ROLE_SPELLINGS}, content|text, annotation}}], emotion_type, problem_type, situation",
    detect=detect,
    explain=explain,
    convert=convert,
    required=(("dialog",), ("text",)),
    example="eva ingest ESConv.json",
)
