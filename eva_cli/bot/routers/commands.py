"""/start /help /reset /forget /privacy /lang /consent, and a hint for unknown commands."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from eva_cli.bot.routers.feedback import flush_pending
from eva_cli.bot.services import Services
from eva_cli.bot.texts import t
from eva_cli.persona import GREETING

BOT_COMMANDS = {
    "en": [("start", "Meet Eva"), ("help", "Crisis lines and commands"), ("reset", "Start the conversation afresh"),
           ("forget", "Delete everything stored about you"), ("privacy", "What is stored and for how long"),
           ("lang", "Reply language: en, uk or auto"), ("consent", "Let your feedback improve Eva")],
    "uk": [("start", "Знайомство з Євою"), ("help", "Гарячі лінії та команди"), ("reset", "Почати розмову спочатку"),
           ("forget", "Видалити все, що збережено про тебе"), ("privacy", "Що зберігається і як довго"),
           ("lang", "Мова відповідей: en, uk або auto"), ("consent", "Дозволити відгукам покращувати Єву")],
}


def _lang(message: Message, services: Services) -> str:
    user = message.from_user
    return services.lang_for(user.id, message.chat.id, user.language_code)


def build() -> Router:
    router = Router(name="commands")
    router.message.filter(F.chat.type == "private", F.from_user)

    @router.message(CommandStart())
    async def start(message: Message, services: Services) -> None:
        lang = _lang(message, services)
        await message.answer(f"{GREETING[lang]}\n\n{t('start_note', lang)}")

    @router.message(Command("help"))
    async def help_(message: Message, services: Services) -> None:
        from eva_cli.safety import help_text

        lang = _lang(message, services)
        locale = services.locale_for(message.from_user.language_code)
        await message.answer(f"{help_text(lang, locale)}\n\n{t('commands', lang)}")

    @router.message(Command("reset"))
    async def reset(message: Message, services: Services) -> None:
        lang = _lang(message, services)
        flush_pending(services, message.from_user.id)
        services.store.reset(message.chat.id)
        services.feedback.forget_chat(message.chat.id)
        await message.answer(t("reset", lang))

    @router.message(Command("forget"))
    async def forget(message: Message, services: Services) -> None:
        lang = _lang(message, services)  # before the language setting is deleted too
        user_id, chat_id = message.from_user.id, message.chat.id
        services.feedback.forget_user(user_id, chat_id)  # a pending 👎 is dropped, not stored
        count = services.store.forget_user(user_id)
        services.pipeline.forget_chat(chat_id)
        await message.answer(t("forget", lang, count=count))

    @router.message(Command("privacy"))
    async def privacy(message: Message, services: Services) -> None:
        lang = _lang(message, services)
        user_id = message.from_user.id
        counts = services.store.user_summary(user_id)
        consent = t("consent_yes" if services.store.has_consent(user_id) else "consent_no", lang)
        days = getattr(services.store, "retention_days", None) or services.config.retention_days
        encryption = t("encrypted" if getattr(services.store, "encrypted", True) else "unencrypted", lang)
        await message.answer(t("privacy", lang, days=days, summary=_summary(counts, lang), consent=consent,
                               encryption=encryption))

    @router.message(Command("lang"))
    async def lang_(message: Message, command: CommandObject, services: Services) -> None:
        arg = (command.args or "").strip().lower()
        user_id = message.from_user.id
        if arg in ("en", "uk"):
            services.store.set_lang(user_id, arg)
            await message.answer(t("lang_set", arg))
        elif arg == "auto":
            services.store.set_lang(user_id, None)
            await message.answer(t("lang_auto", _lang(message, services)))
        else:
            await message.answer(t("lang_usage", _lang(message, services)))

    @router.message(Command("consent"))
    async def consent(message: Message, command: CommandObject, services: Services) -> None:
        lang = _lang(message, services)
        off = (command.args or "").strip().lower() in ("off", "no", "withdraw", "ні", "вимк")
        services.store.set_consent(message.from_user.id, not off)
        await message.answer(t("consent_off" if off else "consent_on", lang))

    @router.message(F.text.startswith("/"))
    async def unknown(message: Message, services: Services) -> None:
        await message.answer(t("commands", _lang(message, services)))

    return router


def _summary(counts: dict, lang: str) -> str:
    """The store's per-user counts as one readable phrase."""
    return t("summary", lang, messages=counts.get("messages", 0), feedback=counts.get("feedback", 0))
