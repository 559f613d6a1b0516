"""Which adapter reads a source: detected from columns and structure, or forced by --format."""

from __future__ import annotations

from eva_cli.errors import InputError
from eva_cli.ingest.adapters import ADAPTERS, Adapter
from eva_cli.ingest.readers import Records, formats_hint


def _columns(records: Records, limit: int = 12) -> str:
    cols = [str(c) for c in records.columns]
    shown = ", ".join(cols[:limit]) + (f", ... ({len(cols)} in all)" if len(cols) > limit else "")
    return shown or "none"


def _could_be() -> str:
    return "; ".join(f"{a.name} ({' | '.join(', '.join(alt) for alt in a.required)})" for a in ADAPTERS.values())


def choose_adapter(records: Records, forced: str | None = None) -> Adapter:
    """The adapter for these records; InputError naming the file and the formats it could be."""
    path = records.source.path
    if forced:
        adapter = ADAPTERS[forced]
        if not adapter.accepts(records):
            raise InputError(
                f"{path}: --format {forced} needs {adapter.fields}, but the file has: {_columns(records)}.",
                "Drop --format to detect the format, or convert the file. " + formats_hint())
        return adapter
    for adapter in ADAPTERS.values():
        if adapter.detect(records):
            return adapter
    near = [f"{a.name}: {why}" for a in ADAPTERS.values() if (why := a.near_miss(records))]
    seen = f"near misses: {'; '.join(near)}" if near else f"it could be one of: {_could_be()}"
    raise InputError(
        f"{path}: its columns ({_columns(records)}) match no known format; {seen}.",
        "Rename the columns or pass --format NAME; when ingesting a folder, --skip-unknown skips such files.")
