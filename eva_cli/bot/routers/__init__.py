"""One aiogram Router per concern, included in this order (first match wins)."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    from eva_cli.bot.routers import commands, feedback, messages, nontext

    return [commands.build(), feedback.build(), messages.build(), nontext.build()]
