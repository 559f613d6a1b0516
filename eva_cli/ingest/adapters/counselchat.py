"""counselchat: questions from counselchat.com with therapists' HTML answers and upvotes.

Two published CSV layouts and the Hugging Face copy:
- old: 24-hex questionID, questionTitle, questionText, questionUrl, topics, therapistName, therapistUrl,
  answerText (HTML), upvotes;
- 2020 (and Hugging Face): an unnamed index column, integer questionID, questionTitle, questionText,
  questionLink, topic, therapistInfo, therapistURL, answerText, upvotes, views, split.
One question has several answers; each answer is one example, its upvotes the score.
"""

from __future__ import annotations

from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Candidate, Item, short_hash, text_of, to_float
from eva_cli.ingest.readers import Records


def detect(records: Records) -> bool:
    cols = records.colset
    return "answertext" in cols and bool(cols & {"questiontext", "questiontitle"})


def convert(records: Records) -> Iterator[Item]:
    k = records.key
    qid, title, text = k("questionID"), k("questionTitle"), k("questionText")
    answer, upvotes, views = k("answerText"), k("upvotes"), k("views")
    topic, therapist, split = k("topic", "topics"), k("therapistInfo", "therapistName"), k("split")
    layout = "2020" if k("questionLink", "topic", "therapistInfo") else "old"
    for row in records.iter_rows():
        q_title = text_of(row.get(title)).strip() if title else ""
        q_text = text_of(row.get(text)).strip() if text else ""
        question = q_text or q_title  # the title stands in when questionText is empty
        group = text_of(row.get(qid)).strip() if qid else ""
        meta = {"layout": layout}
        if group:
            meta["question_id"] = group
        for name, col in (("title", title), ("topic", topic), ("therapist", therapist), ("split", split)):
            value = text_of(row.get(col)).strip() if col else ""
            if value:
                meta[name] = value
        if views and to_float(row.get(views)) is not None:
            meta["views"] = to_float(row.get(views))
        yield Candidate(
            group=group or short_hash(question),
            messages=[{"role": "user", "content": question}],
            response=text_of(row.get(answer)),
            score=to_float(row.get(upvotes)) if upvotes else None,
            meta=meta,
        )


ADAPTER = Adapter(
    name="counselchat",
    summary="counselchat.com questions with therapists' HTML answers; upvotes become the score (both CSV layouts, HF copy)",
    fields="questionID, questionTitle, questionText, answerText, upvotes (+ topic(s), therapistInfo/Name, views, split)",
    detect=detect,
    convert=convert,
    required=(("answerText", "questionText"), ("answerText", "questionTitle")),
    example="eva ingest counselchat-data.csv",
)
