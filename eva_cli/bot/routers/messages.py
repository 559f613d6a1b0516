"""Text messages: the conversation pipeline (screen -> crisis reply | model -> guard), then send."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import Message

from eva_cli.bot.replies import send_long, typing
from eva_cli.bot.routers.feedback import feedback_keyboard, take_rewrite
from eva_cli.bot.services import RatedReply, Services
from eva_cli.bot.texts import t


def build() -> Router:
    router = Router(name="messages")
    router.message.filter(F.chat.type == "private", F.from_user)

    @router.message(F.text)
    async def on_text(message: Message, bot: Bot, services: Services) -> None:
        user, chat_id = message.from_user, message.chat.id
        if await take_rewrite(message, services):
            await message.answer(t("rewrite_thanks", services.lang_for(user.id, chat_id, user.language_code)))
            return
        locale = services.locale_for(user.language_code)
        async with typing(bot, chat_id, services.config.typing_interval_s):
            turn = await services.pipeline.respond(user.id, chat_id, message.text, locale=locale)
        markup = feedback_keyboard() if turn.kind == "model" else None
        sent = await send_long(bot, chat_id, turn.text, reply_markup=markup)
        if markup is not None and sent is not None:
            services.feedback.remember(RatedReply(chat_id, sent.message_id, turn.prompt, turn.core or turn.text))

    return router
