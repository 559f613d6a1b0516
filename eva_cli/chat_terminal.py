"""`eva chat`: the bot's conversation pipeline (persona, memory, safety, backend) in a terminal.

Interactive on a terminal; with piped stdin it reads one message a line until EOF and prints
each reply, so it can be scripted and tested. Memory lives in this process only: nothing is
written to disk.
"""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console
from rich.markup import escape

from eva_cli.conversation import LANGS, ConversationPipeline, InMemoryHistory

USER_ID = CHAT_ID = 0  # the one local user

HELP = {
    "en": "Commands: /reset forgets the conversation, /lang en|uk|auto, /help, /quit (or Ctrl-D).",
    "uk": "Команди: /reset - забути розмову, /lang en|uk|auto, /help, /quit (або Ctrl-D).",
}


async def chat_loop(pipeline: ConversationPipeline, console: Console, *, stdin=None, interactive: bool | None = None,
                    locale: str | None = None, show_kind: bool = False) -> int:
    """Talk until /quit or EOF; returns the number of replies given."""
    from eva_cli.persona import GREETING

    stdin = stdin or sys.stdin
    if interactive is None:
        interactive = bool(getattr(stdin, "isatty", lambda: False)())
    memory = pipeline.memory
    replies = 0
    if interactive:
        lang = pipeline.language(USER_ID, CHAT_ID)
        console.print(f"[bold magenta]Eva[/]: {escape(GREETING.get(lang, GREETING['en']))}")
        console.print(f"[dim]{escape(HELP.get(lang, HELP['en']))}[/]")
    try:
        while True:
            line = await asyncio.to_thread(_read, console, stdin, interactive)
            if line is None:
                break
            text = line.strip()
            if not text:
                continue
            lang = pipeline.language(USER_ID, CHAT_ID)
            if text in ("/quit", "/exit"):
                break
            if text == "/reset":
                memory.reset(CHAT_ID)
                pipeline.forget_chat(CHAT_ID)
                console.print("[dim]conversation forgotten[/]")
                continue
            if text.startswith("/lang"):
                arg = text[5:].strip().lower()
                if arg in LANGS or arg == "auto":
                    memory.set_lang(USER_ID, None if arg == "auto" else arg)
                    console.print(f"[dim]language: {arg}[/]")
                else:
                    console.print("[dim]usage: /lang en|uk|auto[/]")
                continue
            if text == "/help":
                from eva_cli.safety import help_text

                console.print(escape(help_text(lang, locale)), highlight=False)
                console.print(f"[dim]{escape(HELP.get(lang, HELP['en']))}[/]")
                continue
            turn = await pipeline.respond(USER_ID, CHAT_ID, text, locale=locale)
            replies += 1
            tag = f" [dim]({turn.kind}, risk {turn.risk}, {turn.seconds:.1f} s)[/]" if show_kind else ""
            console.print(f"[bold magenta]Eva[/]{tag}: {escape(turn.text)}", highlight=False, soft_wrap=True)
    finally:
        await pipeline.backend.aclose()
    return replies


def warm_up() -> None:
    """Load what the safety screen loads lazily (its model, the optional embedding check) now."""
    from eva_cli.safety import screen

    screen("Hello, I just wanted to talk about my day.")


def _read(console: Console, stdin, interactive: bool) -> str | None:
    if interactive:
        try:
            return console.input("[bold cyan]you[/]: ")
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None


def run_chat(backend, config, console: Console, *, lang: str | None = None, stdin=None,
             show_kind: bool = False) -> int:
    pipeline = ConversationPipeline(backend, InMemoryHistory(), config)
    if lang:
        pipeline.memory.set_lang(USER_ID, lang)
    return asyncio.run(chat_loop(pipeline, console, stdin=stdin, locale=config.locale, show_kind=show_kind))
