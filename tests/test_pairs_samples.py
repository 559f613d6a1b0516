"""Sample examples for the build-pairs tests (written for these tests), and checks of the samples.

The other tests import `sample_rows` and `write_examples` from here.
"""

from __future__ import annotations

import json
from pathlib import Path

from eva_cli.schema import EXAMPLES, read_table, write_table


def _ex(id, group, user, response, *, source="counselchat.csv", fmt="counselchat", score=None, rejected=None,
        lang="en", split="train", topic=None, history=()):
    messages = [*history, {"role": "user", "content": user}]
    return {
        "id": id, "source": source, "format": fmt, "group": group, "messages": messages, "response": response,
        "rejected": rejected, "score": score, "lang": lang, "split": split,
        "meta": json.dumps({"topic": topic}) if topic else "{}",
    }


Q_SLEEP = "I can't sleep because of work. My boss calls me late at night and I feel anxious all the time."
Q_SISTER = "My sister Anna stopped talking to me after an argument and I feel so lonely."
Q_EXAMS = "My exams start next week and I feel like a failure before I even begin."
Q_GRIEF = "My grandfather died last month and I still cry every evening."
Q_UK_WORK = "Я не можу спати через роботу, начальник пише мені вночі, і мені постійно тривожно."
Q_UK_FRIEND = "Я посварилася з Оксаною, і тепер мені дуже самотньо."


def sample_rows() -> list[dict]:
    """24 examples: scored answers to one question, carried rejects, several topics, en + uk, both splits."""
    return [
        # one counsel-chat question, three answers with different scores (and one tie)
        _ex("cc-1a", "q1", Q_SLEEP, "It sounds exhausting to be on call at night without agreeing to it. "
            "What would it be like to tell your boss when you are reachable?", score=9, topic="workplace"),
        _ex("cc-1b", "q1", Q_SLEEP, "Work stress can keep the mind busy at night. Could we look at what "
            "happens in your body when the phone lights up late?", score=4, topic="workplace"),
        _ex("cc-1c", "q1", Q_SLEEP, "Try turning off your phone.", score=1, topic="workplace"),
        _ex("cc-1d", "q1", Q_SLEEP, "Many people feel this way. Sleep hygiene matters.", score=1, topic="workplace"),
        _ex("cc-2a", "q2", Q_SISTER, "Losing contact with a sister after a fight can leave a real gap. What do you "
            "miss most about talking with Anna?", score=5, topic="family"),
        _ex("cc-2b", "q2", Q_SISTER, "Silence after an argument often hides hurt on both sides. Would it help to "
            "think about what you might want to say to her, when you are ready?", score=2, topic="family"),
        _ex("cc-3a", "q3", Q_EXAMS, "Feeling like a failure before the start says a lot about the pressure you carry. "
            "Where does that voice come from?", score=3, topic="school"),
        _ex("cc-4a", "q4", Q_GRIEF, "A month is very little time after losing someone you love. Crying every evening "
            "can be a way your grief finds room. What was he like?", score=7, topic="grief"),
        # preference rows carry their rejected reply
        _ex("pr-1", "p1", "I keep comparing myself to my friends online and feel worthless.",
            "Comparing yourself to polished pictures can wear you down. What do you notice in yourself after scrolling?",
            rejected="Just delete social media, problem solved.", source="preference.jsonl", fmt="preference"),
        _ex("pr-2", "p2", "My partner forgot my birthday and I feel hurt but silly for caring.",
            "Caring about being remembered is not silly. It makes sense that it hurt. What did that day feel like?",
            rejected="It's just a birthday, don't be so sensitive.", source="preference.jsonl", fmt="preference"),
        _ex("pr-3", "p3", "I panic every time I have to speak in meetings.",
            "That rush of panic in meetings sounds really unpleasant. What goes through your mind just before you speak?",
            rejected="That rush of panic in meetings sounds really unpleasant. What goes through your mind just before you speak?",
            source="preference.jsonl", fmt="preference"),  # identical: must be dropped
        # multi-turn conversation examples (amod-like), no scores
        _ex("cv-1", "c1", "And now even my friends seem tired of me.",
            "It sounds lonely to feel you are too much for the people around you. What makes you think they are tired?",
            source="conversations.jsonl", fmt="conversation",
            history=({"role": "user", "content": "I have been down for weeks."},
                     {"role": "assistant", "content": "I'm sorry it has been so heavy. What has been hardest?"})),
        _ex("cv-2", "c2", "I moved to a new city and I don't know anyone here.",
            "Starting over somewhere new can be so isolating. How have the evenings been for you?",
            source="conversations.jsonl", fmt="conversation"),
        _ex("cv-3", "c3", "My dad drinks every night and I worry about my little brother.",
            "Worrying about your brother while your dad drinks is a lot to hold. Who else knows what is happening at home?",
            source="conversations.jsonl", fmt="conversation"),
        _ex("cv-4", "c4", "I failed my driving test twice and I feel ashamed.",
            "Failing twice can sting, and shame makes it heavier. What would you say to a friend in your place?",
            source="conversations.jsonl", fmt="conversation"),
        # Ukrainian
        _ex("uk-1", "u1", Q_UK_WORK, "Схоже, робота забирає в тебе навіть ночі. Як ти почуваєшся, коли "
            "телефон дзвонить так пізно?", lang="uk", source="conversations.jsonl", fmt="conversation"),
        _ex("uk-2", "u2", Q_UK_FRIEND, "Сварка з близькою людиною може залишити сильне відчуття самотності. "
            "Що для тебе найважче зараз?", lang="uk", source="conversations.jsonl", fmt="conversation"),
        _ex("uk-3", "u3", "Мама постійно критикує мій вибір професії, і мені соромно.",
            "Коли найближча людина не підтримує твій вибір, це болить. Що саме ти чуєш у її словах?",
            lang="uk", source="conversations.jsonl", fmt="conversation"),
        _ex("uk-4", "u4", "Після переїзду я нікого тут не знаю і почуваюся порожньо.",
            "Нове місто без знайомих облич може здаватися дуже порожнім. Як минають твої вечори?",
            lang="uk", source="conversations.jsonl", fmt="conversation"),
        # eval split
        _ex("ev-1", "e1", "My girlfriend says I never listen and I feel confused.",
            "Hearing that you never listen can be confusing, especially if you feel you try. What happened last time?",
            split="eval", source="conversations.jsonl", fmt="conversation"),
        _ex("ev-2", "e2", "I lost my job and I feel hopeless about money.",
            "Losing your job and worrying about money at once is a heavy mix. What feels most urgent right now?",
            split="eval", source="conversations.jsonl", fmt="conversation"),
        _ex("ev-3", "e3", "Мені страшно через обстріли, я погано сплю.",
            "Страх під час обстрілів — дуже природна реакція. Що допомагає тобі хоч трохи заспокоїтися вночі?",
            split="eval", lang="uk", source="conversations.jsonl", fmt="conversation"),
        # leakage: the same prompt text as an eval example, but in train (another group)
        _ex("lk-1", "l1", "My girlfriend says I never listen and I feel confused!",
            "That sounds confusing and painful. What do you think she means?",
            source="conversations.jsonl", fmt="conversation"),
        _ex("ev-4", "e4", "I lost my job and I feel hopeless about money.",
            "That is a lot at once. Would it help to split it into what is urgent and what can wait?",
            split="eval", source="conversations.jsonl", fmt="conversation"),
    ]


def write_examples(workspace: Path, rows: list[dict] | None = None) -> Path:
    path = Path(workspace) / "data" / "examples.parquet"
    write_table(rows if rows is not None else sample_rows(), path, EXAMPLES)
    return path


def test_samples_fit_the_examples_schema(tmp_path):
    path = write_examples(tmp_path)
    table = read_table(path)
    assert table.schema.names == EXAMPLES.names
    assert table.num_rows == len(sample_rows())
    assert len(set(table.column("id").to_pylist())) == table.num_rows
