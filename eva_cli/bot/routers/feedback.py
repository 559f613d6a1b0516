"""👍/👎 under each model reply.

👍 stores a +1 at once. 👎 asks "what would have helped?" (a ForceReply message): if the user's
next message is a reply to that question (and the safety screen finds no risk in it), it is stored
as the rewrite together with the -1 and is not sent to the model. Any other next message, /reset,
an hour without answer, or shutdown stores the -1 without a rewrite. One feedback row per rated
reply. The store exports feedback only for users who opted in with /consent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message

from eva_cli.bot.services import PendingRewrite, RatedReply, Services
from eva_cli.bot.texts import t

log = logging.getLogger("eva.bot")
UP, DOWN = "fb:up", "fb:down"


def feedback_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="👍", callback_data=UP),
                                                  InlineKeyboardButton(text="👎", callback_data=DOWN)]])


def flush_pending(services: Services, user_id: int, rewrite: str | None = None) -> bool:
    """Store a waiting 👎 (with the rewrite, if given). True when there was one."""
    pending = services.feedback.pending.pop(user_id, None)
    if pending is None:
        return False
    r = pending.rated
    services.store.add_feedback(user_id, r.chat_id, r.message_id, -1, r.prompt, r.reply, rewrite=rewrite)
    return True


async def take_rewrite(message: Message, services: Services) -> bool:
    """If `message` answers a waiting 👎 question, store it as the rewrite and return True."""
    user_id = message.from_user.id
    pending = services.feedback.pending.get(user_id)
    if pending is None:
        return False
    text = message.text or ""
    answers_question = (message.reply_to_message is not None
                        and message.reply_to_message.message_id == pending.ask_message_id)
    if answers_question and not text.startswith("/") and len(text) <= services.pipeline.config.max_input_chars:
        from eva_cli.safety import screen

        if (await asyncio.to_thread(screen, text)).risk == "none":
            return flush_pending(services, user_id, rewrite=text)
    flush_pending(services, user_id)  # carried on talking (or said something that needs a real reply)
    return False


def recover_rated(services: Services, message: Message) -> RatedReply | None:
    """After a restart: find the rated reply and its prompt in the stored conversation."""
    text = (message.text or "").strip()
    if not text:
        return None
    turns = services.store.history(message.chat.id, limit=services.pipeline.config.history_limit)
    for i in range(len(turns) - 1, -1, -1):
        content = turns[i]["content"].strip()
        if turns[i]["role"] == "assistant" and content and (
                content == text or text.startswith(content) or content.endswith(text)):
            prompt = [{"role": x["role"], "content": x["content"]} for x in turns[:i]]
            if prompt and prompt[-1]["role"] == "user":
                return RatedReply(message.chat.id, message.message_id, prompt, content)
    return None


def build() -> Router:
    router = Router(name="feedback")

    @router.callback_query(F.data.in_({UP, DOWN}))
    async def on_feedback(query: CallbackQuery, services: Services) -> None:
        user, message = query.from_user, query.message
        lang = services.lang_for(user.id, message.chat.id if message else user.id, user.language_code)
        if not isinstance(message, Message):  # too old: Telegram no longer shows us the message
            await query.answer(t("feedback_stale", lang))
            return
        rated = services.feedback.pop(message.chat.id, message.message_id) or recover_rated(services, message)
        with contextlib.suppress(TelegramBadRequest):  # one rating per reply: the buttons go
            await message.edit_reply_markup(reply_markup=None)
        if rated is None:
            await query.answer(t("feedback_stale", lang))
            return
        if query.data == UP:
            services.store.add_feedback(user.id, rated.chat_id, rated.message_id, 1, rated.prompt, rated.reply)
            await query.answer(t("feedback_thanks", lang))
            return
        await query.answer(t("feedback_thanks", lang))
        flush_pending(services, user.id)  # an earlier 👎 still waiting is stored as is
        ask = await message.answer(t("rewrite_ask", lang), reply_markup=ForceReply(selective=False))
        services.feedback.pending[user.id] = PendingRewrite(user.id, rated, ask.message_id)

    return router
