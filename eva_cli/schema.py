"""The artifact tables: column names and types, written atomically as parquet.

examples.parquet (eva ingest) -> pairs/{train,eval}.parquet (eva build-pairs) -> eva train / eva eval.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
MESSAGES = pa.list_(MESSAGE)

EXAMPLES = pa.schema([
    ("id", pa.string()),          # stable content hash
    ("source", pa.string()),      # input file name (relative path inside a zip/folder)
    ("format", pa.string()),      # adapter name
    ("group", pa.string()),       # question or conversation id; the split is by group
    ("messages", MESSAGES),       # context ending with a user turn
    ("response", pa.string()),    # the therapist / supporter reply
    ("rejected", pa.string()),    # null unless the source carries one
    ("score", pa.float64()),      # null unless the source has one (upvotes, ...)
    ("lang", pa.string()),        # en | uk | other
    ("split", pa.string()),       # train | eval
    ("meta", pa.string()),        # JSON object
])

PAIRS = pa.schema([
    ("id", pa.string()),
    ("example_id", pa.string()),
    ("prompt", MESSAGES),         # optional system message + context, ending with a user turn
    ("chosen", MESSAGES),         # [{"role": "assistant", "content": ...}]
    ("rejected", MESSAGES),
    ("strategy", pa.string()),    # ranked | rewrite | mismatch | model | feedback | expert
    ("source", pa.string()),
    ("lang", pa.string()),
    ("split", pa.string()),
])


def write_table(rows: list[dict] | "pa.Table", path: Path, schema: pa.Schema) -> Path:
    """Write rows with exactly `schema`'s columns, atomically."""
    import pyarrow.parquet as pq

    from eva_cli.atomic import atomic_path

    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=schema)
    table = table.select(schema.names).cast(schema)
    with atomic_path(path, suffix=".parquet") as tmp:
        pq.write_table(table, tmp)
    return path


def read_table(path: Path) -> "pa.Table":
    import pyarrow.parquet as pq

    return pq.read_table(path)
