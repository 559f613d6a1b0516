"""Stickers, voice, photos, files...: a friendly note that Eva reads text only."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from eva_cli.bot.services import Services
from eva_cli.bot.texts import t


def build() -> Router:
    router = Router(name="non-text")
    router.message.filter(F.chat.type == "private", F.from_user)

    @router.message()
    async def on_other(message: Message, services: Services) -> None:
        user = message.from_user
        await message.answer(t("non_text", services.lang_for(user.id, message.chat.id, user.language_code)))

    return router
