"""Everything the bot says outside model replies, in English and Ukrainian.

Crisis replies, crisis lines and the elevated-risk check-in come from eva_cli.safety;
the greeting comes from eva_cli.persona.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "start_note": {
        "en": "A note before we talk: I am an AI, not a therapist and not an emergency service. "
              "If you might be in danger, /help lists crisis lines you can call right now. "
              "/privacy explains what I keep and how to delete it.",
        "uk": "Перш ніж ми почнемо: я ШІ, а не психотерапевтка і не екстрена служба. "
              "Якщо тобі може загрожувати небезпека, /help покаже гарячі лінії, куди можна звернутися просто зараз. "
              "/privacy пояснює, що я зберігаю і як це видалити.",
    },
    "commands": {
        "en": "Commands:\n/reset - start the conversation afresh\n/forget - delete everything stored about you\n"
              "/privacy - what is stored and for how long\n/lang en|uk|auto - reply language\n"
              "/consent - let your 👍/👎 feedback help improve Eva (/consent off to withdraw)",
        "uk": "Команди:\n/reset - почати розмову спочатку\n/forget - видалити все, що збережено про тебе\n"
              "/privacy - що зберігається і як довго\n/lang en|uk|auto - мова відповідей\n"
              "/consent - дозволити використовувати твої 👍/👎 для покращення Єви (/consent off - відкликати)",
    },
    "reset": {
        "en": "Done. I have set our earlier conversation aside; we can start fresh. What is on your mind?",
        "uk": "Готово. Я відклала нашу попередню розмову, можемо почати з чистого аркуша. Що в тебе на думці?",
    },
    "forget": {
        "en": "Deleted: {count} stored items about you (messages, feedback and settings) are gone from my "
              "database. If you write again, I will start with no memory of you.",
        "uk": "Видалено: {count} збережених записів про тебе (повідомлення, відгуки й налаштування) більше немає "
              "в моїй базі. Якщо напишеш знову, я почну без жодної пам'яті про тебе.",
    },
    "privacy": {
        "en": "What I store: your messages and my replies in this chat (to remember the conversation), "
              "👍/👎 feedback, your language choice and your consent setting. {encryption} "
              "Conversations are deleted automatically after {days} days.\n"
              "Stored about you now: {summary}.\n"
              "Feedback is used to improve Eva only if you opt in with /consent (now: {consent}).\n"
              "/reset makes me forget the conversation context; /forget deletes everything about you at once.",
        "uk": "Що я зберігаю: твої повідомлення і мої відповіді в цьому чаті (щоб пам'ятати розмову), "
              "відгуки 👍/👎, вибрану мову і твою згоду. {encryption} "
              "Розмови автоматично видаляються через {days} днів.\n"
              "Зараз збережено про тебе: {summary}.\n"
              "Відгуки використовуються для покращення Єви лише якщо ти погодишся через /consent (зараз: {consent}).\n"
              "/reset - я забуду контекст розмови; /forget - одразу видаляє все про тебе.",
    },
    "encrypted": {
        "en": "Message and feedback text is encrypted at rest.",
        "uk": "Текст повідомлень і відгуків зберігається зашифрованим.",
    },
    "unencrypted": {
        "en": "Note: this test instance stores text UNENCRYPTED.",
        "uk": "Увага: цей тестовий екземпляр зберігає текст НЕЗАШИФРОВАНИМ.",
    },
    "consent_yes": {"en": "on", "uk": "увімкнено"},
    "consent_no": {"en": "off", "uk": "вимкнено"},
    "consent_on": {
        "en": "Thank you. Your 👍/👎 feedback (with the conversation it rates) may now be used to improve Eva. "
              "You can withdraw at any time with /consent off.",
        "uk": "Дякую. Твої відгуки 👍/👎 (разом із розмовою, яку вони оцінюють) тепер можуть допомагати "
              "покращувати Єву. Відкликати згоду можна будь-коли: /consent off.",
    },
    "consent_off": {
        "en": "Consent withdrawn: your feedback will not be used to improve Eva.",
        "uk": "Згоду відкликано: твої відгуки не використовуватимуться для покращення Єви.",
    },
    "lang_set": {"en": "I will reply in English.", "uk": "Відповідатиму українською."},
    "lang_auto": {
        "en": "I will follow the language you write in.",
        "uk": "Я відповідатиму мовою, якою ти пишеш.",
    },
    "lang_usage": {
        "en": "Usage: /lang en, /lang uk, or /lang auto to follow the language you write in.",
        "uk": "Використання: /lang en, /lang uk або /lang auto, щоб я відповідала мовою, якою ти пишеш.",
    },
    "rate_limited": {
        "en": "You are writing faster than I can think. Give me a few seconds, then send your next message. "
              "If you are in danger, /help lists crisis lines.",
        "uk": "Ти пишеш швидше, ніж я встигаю думати. Дай мені кілька секунд і надішли наступне повідомлення. "
              "Якщо тобі загрожує небезпека, /help покаже гарячі лінії.",
    },
    "non_text": {
        "en": "I can read text messages only, so I couldn't take that in. Would you tell me in words?",
        "uk": "Я можу читати лише текстові повідомлення, тож цього не побачила. Розкажеш словами?",
    },
    "not_allowed": {
        "en": "Sorry, this Eva bot is private and not open to new users.",
        "uk": "Вибач, цей бот Єви приватний і не приймає нових користувачів.",
    },
    "feedback_thanks": {"en": "Thank you for the feedback.", "uk": "Дякую за відгук."},
    "feedback_stale": {
        "en": "Thank you. That reply is too old to rate now.",
        "uk": "Дякую. Цю відповідь уже надто пізно оцінювати.",
    },
    "rewrite_ask": {
        "en": "Thank you for telling me. What would have helped more? Reply to this message with what you "
              "wish I had said, or simply carry on talking.",
        "uk": "Дякую, що сказав(ла). Що допомогло б більше? Дай відповідь на це повідомлення тим, що ти хотів(ла) б "
              "почути, або просто продовжуй розмову.",
    },
    "rewrite_thanks": {
        "en": "Thank you, I have noted that. It helps me learn.",
        "uk": "Дякую, я це записала. Це допомагає мені вчитися.",
    },
    "summary": {
        "en": "{messages} messages, {feedback} feedback items",
        "uk": "повідомлень: {messages}, відгуків: {feedback}",
    },
}


def t(key: str, lang: str, **fmt) -> str:
    table = TEXTS[key]
    text = table.get(lang) or table["en"]
    return text.format(**fmt) if fmt else text
