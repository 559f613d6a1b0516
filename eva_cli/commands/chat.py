"""`eva chat`: Talk to Eva in the terminal: persona, memory, safety, backend."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("chat", help="Talk to Eva in the terminal with the bot's pipeline (persona, memory, safety, backend). "
                              "Reads one message a line from piped stdin.")
    def _cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="A trained run in the workspace (base + adapter)."),
        model: Optional[str] = typer.Option(None, "--model", help="A plain model: embedded, a folder, or a cached HF id \\[default: embedded]."),
        backend: str = typer.Option("local", "--backend", help="local or openai."),
        openai_base_url: Optional[str] = typer.Option(None, "--openai-base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (env EVA_OPENAI_BASE_URL)."),
        openai_model: Optional[str] = typer.Option(None, "--openai-model", help="Served model name (env EVA_OPENAI_MODEL)."),
        lang: Optional[str] = typer.Option(None, "--lang", help="Reply language en|uk \\[default: follow what you write]."),
        locale: Optional[str] = typer.Option(None, "--locale", help="Crisis-line region: UA, US, GB, ... (env EVA_DEFAULT_LOCALE)."),
        max_new_tokens: int = typer.Option(160, "--max-new-tokens", help="Longest reply, in tokens."),
        temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature (0 = greedy)."),
        context_tokens: int = typer.Option(1536, "--context-tokens", help="Prompt budget: system prompt + recent turns."),
        timeout: float = typer.Option(120.0, "--timeout", help="Seconds a reply may take before an apology."),
        device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda \\[default: cuda when available]."),
    ) -> None:
        from eva_cli.quiet import quiet_libraries
        from eva_cli.state import get_state

        st = get_state(ctx)
        quiet_libraries(st.verbose)  # before the heavy imports below
        from eva_cli.backends.factory import BackendOptions, build_backend
        from eva_cli.chat_terminal import run_chat, warm_up
        from eva_cli.conversation import LANGS, ConversationConfig
        from eva_cli.errors import InputError

        s = st.settings
        if lang is not None and lang not in LANGS:
            raise InputError(f"--lang must be one of {', '.join(LANGS)} (got {lang!r}).")
        opts = BackendOptions(
            backend=backend, run=run, model=model,
            openai_base_url=openai_base_url or s.openai_base_url, openai_model=openai_model or s.openai_model,
            openai_api_key=s.openai_api_key.get_secret_value() if s.openai_api_key else None,
            max_concurrency=1, timeout_s=timeout, max_new_tokens=max_new_tokens, temperature=temperature,
            device=device)
        config = ConversationConfig(context_tokens=context_tokens, max_new_tokens=max_new_tokens,
                                    default_lang=lang or "en", locale=locale or s.default_locale or None)
        import contextlib

        # A spinner on a terminal; --verbose shows the libraries' own loading output instead.
        loading = contextlib.nullcontext() if st.verbose else st.console.status("Loading Eva...", spinner="dots")
        with loading:
            model_backend = build_backend(opts, st.workspace, st.home, default_model=s.model)
            warm_up()  # every model loads before the first prompt, not at the first message
        run_chat(model_backend, config, st.console, lang=lang, show_kind=st.verbose)
