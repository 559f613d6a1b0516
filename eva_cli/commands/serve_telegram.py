"""`eva serve-telegram`: Serve Eva as a Telegram bot (aiogram 3)."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve-telegram", help="Serve Eva as a Telegram bot (aiogram 3): long polling by default, "
                                        "webhook with --webhook-url. Token from EVA_TELEGRAM_TOKEN, .env or --token.")
    def _cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="Serve a trained run (base + adapter) from the workspace."),
        model: Optional[str] = typer.Option(None, "--model", help="Serve a plain model: embedded, a folder, or a cached HF id \\[default: embedded]."),
        backend: str = typer.Option("local", "--backend", help="local (transformers, micro-batched) or openai (any OpenAI-compatible server, e.g. vLLM)."),
        openai_base_url: Optional[str] = typer.Option(None, "--openai-base-url", help="e.g. http://127.0.0.1:8000/v1 (env EVA_OPENAI_BASE_URL; key from EVA_OPENAI_API_KEY)."),
        openai_model: Optional[str] = typer.Option(None, "--openai-model", help="Served model name (env EVA_OPENAI_MODEL)."),
        token: Optional[str] = typer.Option(None, "--token", help="Bot token from @BotFather (prefer env EVA_TELEGRAM_TOKEN: flags show up in `ps`).", show_default=False),
        api_server: Optional[str] = typer.Option(None, "--api-server", help="Self-hosted Bot API server base URL, e.g. http://127.0.0.1:8081 (env EVA_API_SERVER)."),
        webhook_url: Optional[str] = typer.Option(None, "--webhook-url", help="Public HTTPS URL Telegram posts updates to; turns on webhook mode (env EVA_WEBHOOK_URL; secret from EVA_WEBHOOK_SECRET)."),
        webhook_port: int = typer.Option(8080, "--webhook-port", help="Port the webhook HTTP server listens on."),
        webhook_host: str = typer.Option("0.0.0.0", "--webhook-host", help="Address the webhook HTTP server binds."),
        metrics_port: Optional[int] = typer.Option(None, "--metrics-port", help="Serve /metrics (Prometheus) and /healthz on this port, on the --webhook-host address (webhook mode has them on the webhook server too)."),
        max_concurrency: int = typer.Option(8, "--max-concurrency", help="Largest micro-batch (local) or requests open at once (openai)."),
        allowed_users: Optional[str] = typer.Option(None, "--allowed-users", help="Comma-separated Telegram user ids allowed to talk (env EVA_ALLOWED_USERS; empty = everyone)."),
        store: Optional[str] = typer.Option(None, "--store", help="Conversation store: a postgresql:// URL shared by replicas, or a SQLite file (env EVA_STORE_URL) \\[default: workspace/bot/eva.sqlite].", show_default=False),
        insecure_storage: bool = typer.Option(False, "--insecure-storage", help="Run without EVA_DATA_KEY: conversations stored UNENCRYPTED (local testing only)."),
        max_new_tokens: int = typer.Option(160, "--max-new-tokens", help="Longest reply, in tokens."),
        temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature (0 = greedy)."),
        timeout: float = typer.Option(120.0, "--timeout", help="Seconds a reply may take (queueing included) before the user gets an apology."),
        context_tokens: int = typer.Option(1536, "--context-tokens", help="Prompt budget: system prompt + as many recent turns as fit."),
        max_input_chars: int = typer.Option(4000, "--max-input-chars", help="Longer messages get a polite reply, no model call."),
        rate_limit: str = typer.Option("6/60", "--rate-limit", help="Per-user burst: N messages, refilled over S seconds (N/S)."),
        locale: Optional[str] = typer.Option(None, "--locale", help="Crisis-line region when a user's is unknown: UA, US, GB, ... (env EVA_DEFAULT_LOCALE)."),
        device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda \\[default: cuda when available]."),
    ) -> None:
        from eva_cli.backends.factory import BackendOptions
        from eva_cli.bot.config import BotConfig, parse_allowed_users
        from eva_cli.bot.serve import serve, setup_logging
        from eva_cli.conversation import ConversationConfig
        from eva_cli.quiet import quiet_libraries
        from eva_cli.state import get_state

        st = get_state(ctx)
        quiet_libraries(st.verbose)  # the bot's log: eva's own lines, not library noise
        s = st.settings
        burst, window = _parse_rate(rate_limit)
        secret = lambda v: v.get_secret_value() if v else None  # noqa: E731
        config = BotConfig(
            token=token or secret(s.telegram_token) or "",
            api_server=api_server or s.api_server or None,
            webhook_url=webhook_url or s.webhook_url or None,
            webhook_host=webhook_host, webhook_port=webhook_port,
            metrics_port=metrics_port, metrics_host=webhook_host,
            webhook_secret=secret(s.webhook_secret) or None,
            allowed_users=parse_allowed_users(allowed_users if allowed_users is not None else s.allowed_users),
            rate_burst=burst, rate_window_s=window, retention_days=s.retention_days,
            locale=(locale or s.default_locale or None),
        )
        backend_opts = BackendOptions(
            backend=backend, run=run, model=model,
            openai_base_url=openai_base_url or s.openai_base_url, openai_model=openai_model or s.openai_model,
            openai_api_key=secret(s.openai_api_key), max_concurrency=max_concurrency, timeout_s=timeout,
            max_new_tokens=max_new_tokens, temperature=temperature, device=device)
        conversation = ConversationConfig(context_tokens=context_tokens, max_new_tokens=max_new_tokens,
                                          max_input_chars=max_input_chars, locale=config.locale)
        setup_logging(verbose=st.verbose, quiet=st.quiet)
        serve(config, backend_opts, conversation, workspace=st.workspace, settings=s, insecure=insecure_storage,
              console=st.console, store_url=store)


def _parse_rate(value: str) -> tuple[int, float]:
    from eva_cli.errors import InputError

    try:
        burst, window = value.split("/", 1)
        burst_n, window_s = int(burst), float(window)
    except ValueError:
        raise InputError(f"--rate-limit must look like N/SECONDS, e.g. 6/60 (got {value!r}).") from None
    if burst_n < 1 or window_s <= 0:
        raise InputError(f"--rate-limit needs N >= 1 and SECONDS > 0 (got {value!r}).")
    return burst_n, window_s
