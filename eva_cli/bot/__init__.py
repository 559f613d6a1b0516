"""The Telegram bot (aiogram 3): see app.py for the wiring and docs/deploy.md for running it."""
