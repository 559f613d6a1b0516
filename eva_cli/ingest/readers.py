"""From the PATH arguments to loaded records.

`expand_inputs` turns files, folders (walked recursively), `.zip` archives and
Hugging Face `save_to_disk` folders into `SourceFile`s; `load_records` reads one
into `Records` (a list of row dicts), decoding text as UTF-8 first and falling
back to cp1252 / latin-1 with a warning. Every unusable input raises an
`InputError` that names the file and the formats eva reads.
"""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

from eva_cli.errors import InputError

FILE_KINDS = "CSV, TSV, JSON, JSONL, Parquet, Arrow, .zip archives, folders and Hugging Face save_to_disk folders"
EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".zip": "zip",
}
# JSON files that describe a dataset rather than hold one (Kaggle and Hugging Face downloads).
METADATA_NAMES = {"dataset-metadata.json", "dataset_info.json", "dataset_infos.json", "dataset_dict.json",
                  "state.json", "package.json", "tsconfig.json", ".gitattributes"}
Warn = Callable[[str], None]


def formats_hint() -> str:
    from eva_cli.ingest.adapters import format_names

    return (f"eva ingest reads {FILE_KINDS} in one of the formats: {', '.join(format_names())} "
            "(see `eva ingest --list-formats`).")


def bad_input(path: str, problem: str) -> InputError:
    """One-line error: the file, what is wrong, and what eva could read instead."""
    return InputError(f"{path}: {problem}.", formats_hint())


@dataclass
class SourceFile:
    """One table to ingest: a file, a zip member, or a save_to_disk dataset (split)."""

    name: str                      # the `source` column: file name, or relative path in a folder/zip
    path: str                      # where it is, for messages and the report
    kind: str                      # csv | tsv | json | jsonl | parquet | arrow | hf | sniff
    read: Callable[[], bytes] | None = None
    arrow_files: list[Path] = field(default_factory=list)   # kind == "hf"
    group_ns: str = ""             # namespace for group ids; the name unless splits share one
    size: int = 0
    walked: bool = False           # found by walking a folder or an archive (what --skip-unknown may skip)

    def __post_init__(self) -> None:
        self.group_ns = self.group_ns or self.name


@dataclass
class Records:
    """What a source holds, as row dicts, plus the lines that could not be parsed."""

    source: SourceFile
    rows: list[Any]
    columns: list[str]
    malformed: int = 0
    layout: str = ""               # how it was parsed: csv, json, jsonl, parquet, arrow, ...
    consumed: int = 0              # rows an adapter has read so far (drives the progress bar)
    _lower: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for col in self.columns:
            self._lower.setdefault(str(col).lower(), col)

    @property
    def colset(self) -> set[str]:
        return set(self._lower)

    def key(self, *names: str) -> str | None:
        """The real column name for the first of `names` present (case-insensitive)."""
        for name in names:
            real = self._lower.get(name.lower())
            if real is not None:
                return real
        return None

    def iter_rows(self) -> Iterator[Any]:
        for row in self.rows:
            self.consumed += 1
            yield row

    def sample(self, n: int = 50) -> list[dict]:
        return [r for r in self.rows[:n] if isinstance(r, dict)]


# ---------------------------------------------------------------- expanding PATH arguments

def expand_inputs(paths: list[Path]) -> list[SourceFile]:
    """Every table behind the PATH arguments, with names unique across all of them."""
    if not paths:
        raise InputError("no input given.", "Pass one or more PATHs: " + formats_hint())
    groups: list[tuple[Path, list[SourceFile]]] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise bad_input(str(path), "no such file or folder")
        if path.is_dir():
            found = _expand_dir(path)
            if not found:
                raise bad_input(str(path), "the folder holds no data files")
        else:
            found = _expand_file(path)
        groups.append((path, found))
    return _unique_names(groups)


def _expand_file(path: Path) -> list[SourceFile]:
    kind = EXTENSIONS.get(path.suffix.lower(), "sniff")
    size = path.stat().st_size
    if kind == "zip" or (kind == "sniff" and _head(path, 4) == b"PK\x03\x04"):
        return _expand_zip(path.name, str(path), path.read_bytes)
    return [SourceFile(name=path.name, path=str(path), kind=kind, read=path.read_bytes, size=size)]


def _head(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _expand_dir(root: Path) -> list[SourceFile]:
    if is_hf_dataset(root):
        return _hf_sources(root, root.name)
    out: list[SourceFile] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in sorted(folder.iterdir(), key=lambda p: p.name, reverse=True):
            if entry.name.startswith(".") or entry.name == "__MACOSX":
                continue
            if entry.is_dir():
                if is_hf_dataset(entry):
                    out.extend(_hf_sources(entry, entry.relative_to(root).as_posix()))
                else:
                    stack.append(entry)
                continue
            kind = EXTENSIONS.get(entry.suffix.lower())
            if kind is None or entry.name.lower() in METADATA_NAMES:
                continue
            rel = entry.relative_to(root).as_posix()
            if kind == "zip":
                out.extend(_expand_zip(rel, str(entry), entry.read_bytes))
            else:
                out.append(SourceFile(name=rel, path=str(entry), kind=kind, read=entry.read_bytes,
                                      size=entry.stat().st_size))
    for s in out:
        s.walked = True
    return sorted(out, key=lambda s: s.name)


def _expand_zip(name: str, path: str, read: Callable[[], bytes]) -> list[SourceFile]:
    try:
        data = read()
    except OSError as exc:
        raise bad_input(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise bad_input(path, "the file is empty")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise bad_input(path, f"not a valid .zip archive ({exc})") from None
    out: list[SourceFile] = []
    for member in sorted(members, key=lambda m: m.filename):
        parts = PurePosixPath(member.filename).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        kind = EXTENSIONS.get(PurePosixPath(member.filename).suffix.lower())
        if kind is None or parts[-1].lower() in METADATA_NAMES:
            continue
        inner_name, inner_path = f"{name}/{member.filename}", f"{path}/{member.filename}"
        reader = _zip_reader(archive, member, inner_path)
        if kind == "zip":
            out.extend(_expand_zip(inner_name, inner_path, reader))
        else:
            out.append(SourceFile(name=inner_name, path=inner_path, kind=kind, read=reader, size=member.file_size,
                                  walked=True))
    if not out:
        raise bad_input(path, "the archive holds no CSV, TSV, JSON, JSONL, Parquet or Arrow files")
    return out


def _zip_reader(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise bad_input(path, f"cannot be extracted ({exc})") from None
    return read


def _unique_names(groups: list[tuple[Path, list[SourceFile]]]) -> list[SourceFile]:
    """Prefix clashing names with their PATH argument, then number what still clashes."""
    counts: dict[str, int] = {}
    for _, sources in groups:
        for s in sources:
            counts[s.name] = counts.get(s.name, 0) + 1
    out: list[SourceFile] = []
    seen: set[str] = set()
    for arg, sources in groups:
        for s in sources:
            if counts[s.name] > 1 and arg.is_dir():
                prefix = arg.resolve().name
                s.group_ns = f"{prefix}/{s.group_ns}"
                s.name = f"{prefix}/{s.name}"
            base, n = s.name, 2
            while s.name in seen:
                s.name = f"{base}#{n}"
                s.group_ns = s.name
                n += 1
            seen.add(s.name)
            out.append(s)
    return out


# ---------------------------------------------------------------- Hugging Face save_to_disk

def is_hf_dataset(folder: Path) -> bool:
    """A `Dataset.save_to_disk` folder (state.json + arrow shards) or a `DatasetDict` one."""
    return (folder / "dataset_dict.json").is_file() or (
        (folder / "state.json").is_file() and (folder / "dataset_info.json").is_file())


def _hf_sources(folder: Path, name: str) -> list[SourceFile]:
    if (folder / "dataset_dict.json").is_file():
        try:
            splits = json.loads((folder / "dataset_dict.json").read_text("utf-8"))["splits"]
        except (ValueError, KeyError, TypeError) as exc:
            raise bad_input(str(folder / "dataset_dict.json"), f"unreadable dataset_dict.json ({exc})") from None
        out = []
        for split in splits:
            sub = folder / split
            if not (sub / "state.json").is_file():
                raise bad_input(str(sub), f"split {split!r} listed in dataset_dict.json is missing")
            out.append(_hf_split(sub, f"{name}/{split}", group_ns=name))
        return out
    return [_hf_split(folder, name, group_ns=name)]


def _hf_split(folder: Path, name: str, group_ns: str) -> SourceFile:
    try:
        state = json.loads((folder / "state.json").read_text("utf-8"))
        files = [folder / f["filename"] for f in state.get("_data_files", [])]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_input(str(folder / "state.json"), f"unreadable save_to_disk state.json ({exc})") from None
    files = files or sorted(folder.glob("*.arrow"))
    missing = [f for f in files if not f.is_file()]
    if not files or missing:
        raise bad_input(str(folder), "save_to_disk folder without its .arrow data files")
    return SourceFile(name=name, path=str(folder), kind="hf", arrow_files=files, group_ns=group_ns,
                      size=sum(f.stat().st_size for f in files))


# ---------------------------------------------------------------- reading one source

def load_records(src: SourceFile, warn: Warn, csv_parsers: dict[str, Callable] | None = None,
                 forced_format: str | None = None) -> Records:
    """Read a source into row dicts. `csv_parsers` maps a format to a tolerant text parser
    `(text, sep) -> (rows, columns, malformed) | None` tried before the CSV reader (EmpatheticDialogues)."""
    if src.kind == "hf":
        return _records_from_arrow(src, [_read_arrow_file(src, f) for f in src.arrow_files], "save_to_disk")
    try:
        data = src.read() if src.read else b""
    except OSError as exc:
        raise bad_input(src.path, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise bad_input(src.path, "the file is empty")
    kind = src.kind if src.kind != "sniff" else _sniff(data)
    if kind == "parquet":
        return _read_parquet(src, data)
    if kind == "arrow":
        return _records_from_arrow(src, [_read_arrow_bytes(src, data)], "arrow")
    text = decode_text(data, src.path, warn)
    if kind == "json":
        return _read_json(src, text)
    if kind == "jsonl":
        return _read_jsonl(src, text)
    return _read_delimited(src, text, "\t" if kind == "tsv" else None, csv_parsers or {}, forced_format)


def _sniff(data: bytes) -> str:
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:6] == b"ARROW1" or data[:4] == b"\xff\xff\xff\xff":
        return "arrow"
    first = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"[":
        return "json"
    if first == b"{":
        return "jsonl" if b"\n{" in data.strip() else "json"
    return "csv"


def decode_text(data: bytes, path: str, warn: Warn) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM); else cp1252, then latin-1, with a warning."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise bad_input(path, "binary data, not a text table")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        for encoding in ("cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            _check_text(text, path)
            warn(f"{path}: not valid UTF-8; read as {encoding}. Check accented letters in the output.")
            return text
        raise bad_input(path, "undecodable text")  # unreachable: latin-1 decodes any byte
    _check_text(text, path)
    return text


def _check_text(text: str, path: str) -> None:
    sample = text[:8192]
    control = sum(1 for c in sample if c < " " and c not in "\t\n\r\f")
    if control > max(2, len(sample) // 100):
        raise bad_input(path, "binary data, not a text table")


def _read_json(src: SourceFile, text: str) -> Records:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if _looks_like_jsonl(text):
            return _read_jsonl(src, text)
        raise bad_input(src.path, f"invalid or truncated JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    rows = _json_rows(doc)
    if rows is None:
        raise bad_input(src.path, "JSON holds no list of records")
    return _records_from_rows(src, rows, "json")


def _looks_like_jsonl(text: str) -> bool:
    """A .json file that is really JSON lines: its first line is a whole JSON object."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


# Lists that belong to one record (a conversation's turns), never a list of records.
_ROW_LEVEL_KEYS = {"messages", "conversations", "dialog", "patterns", "responses", "chosen", "rejected", "prompt",
                   "utterances", "history", "candidates", "personality"}
# Top-level keys that name splits: a {"train": [...], "valid": [...]} file is read whole, each row tagged.
_SPLIT_KEYS = ("train", "valid", "validation", "dev", "test")


def _json_rows(doc: Any) -> list | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [k for k, v in doc.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v[:20])
                 and k.lower() not in _ROW_LEVEL_KEYS]
        splits = [k for k in _SPLIT_KEYS if k in lists]
        if len(splits) > 1:
            return [dict(row, split=row.get("split", key)) for key in splits for row in doc[key]]
        for key in ("intents", "data", "rows", "records", "examples", "dialogs", "train"):
            if key in lists:
                return doc[key]
        if len(lists) == 1 and len(doc) <= 3:
            return doc[lists[0]]
        return [doc]
    return None


def _read_jsonl(src: SourceFile, text: str) -> Records:
    if text.lstrip().startswith("["):  # a JSON array under a .jsonl name
        return _read_json(src, text)
    rows, malformed = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            malformed += 1
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            malformed += 1
    if not rows:
        raise bad_input(src.path, "no line is a JSON object (not JSON lines)")
    records = _records_from_rows(src, rows, "jsonl")
    records.malformed = malformed
    return records


def _records_from_rows(src: SourceFile, rows: list, layout: str) -> Records:
    dict_rows = [r for r in rows if isinstance(r, dict)]
    if not dict_rows:
        raise bad_input(src.path, "holds no records (JSON objects)")
    columns: dict[str, None] = {}
    for row in dict_rows[:200]:
        columns.update(dict.fromkeys(row))
    malformed = len(rows) - len(dict_rows)
    return Records(src, dict_rows, list(columns), malformed=malformed, layout=layout)


def _read_delimited(src: SourceFile, text: str, sep: str | None, csv_parsers: dict[str, Callable],
                    forced_format: str | None) -> Records:
    header = text.split("\n", 1)[0]
    if sep is None:
        sep = "\t" if header.count("\t") > header.count(",") else ","
    for fmt, parser in csv_parsers.items():
        if forced_format not in (None, fmt):
            continue
        parsed = parser(text, sep)
        if parsed is not None:
            rows, columns, malformed = parsed
            if not rows and not malformed:
                raise bad_input(src.path, "a header but no rows")
            return Records(src, rows, columns, malformed=malformed, layout=f"{fmt}-lines")
    return _read_csv_arrow(src, text, sep)


def _read_csv_arrow(src: SourceFile, text: str, sep: str) -> Records:
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        names = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r")), delimiter=sep))
    except (csv.Error, StopIteration):
        names = []
    if not any(n.strip() for n in names):
        raise bad_input(src.path, "not a table: the first line names no columns")
    columns, seen = [], set()
    for i, name in enumerate(names):
        name = name.strip() or ("Unnamed: 0" if i == 0 else f"column_{i}")
        while name in seen:
            name = f"{name}_{i}"
        seen.add(name)
        columns.append(name)
    bad_rows = 0

    def skip(_row) -> str:
        nonlocal bad_rows
        bad_rows += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise bad_input(src.path, f"unreadable CSV ({str(exc).splitlines()[0]})") from None
    if table.num_rows == 0 and not bad_rows:
        raise bad_input(src.path, "a header but no rows")
    rows = table.to_pylist()
    return Records(src, rows, columns, malformed=bad_rows, layout="tsv" if sep == "\t" else "csv")


def _read_parquet(src: SourceFile, data: bytes) -> Records:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise bad_input(src.path, f"not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    return _records_from_tables(src, [table], "parquet")


def _read_arrow_bytes(src: SourceFile, data: bytes):
    import pyarrow as pa

    for opener in (pa.ipc.open_stream, pa.ipc.open_file):
        try:
            return opener(pa.BufferReader(data)).read_all()
        except (pa.ArrowException, OSError):
            continue
    raise bad_input(src.path, "not a readable Arrow file")


def _read_arrow_file(src: SourceFile, path: Path):
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise bad_input(str(path), f"cannot be read ({exc.strerror or exc})") from None
    return _read_arrow_bytes(SourceFile(name=src.name, path=str(path), kind="arrow"), data)


def _records_from_arrow(src: SourceFile, tables: list, layout: str) -> Records:
    return _records_from_tables(src, tables, layout)


def _records_from_tables(src: SourceFile, tables: list, layout: str) -> Records:
    import pyarrow as pa

    try:
        table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    except (pa.ArrowException, ValueError) as exc:
        raise bad_input(src.path, f"its shards do not share one schema ({exc})") from None
    if table.num_rows == 0:
        raise bad_input(src.path, "the table has no rows")
    return Records(src, table.to_pylist(), list(table.column_names), layout=layout)
