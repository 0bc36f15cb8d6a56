"""Safe file helpers: atomic writes, JSONL reading with precise errors, append-only logs."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file the user supplied is malformed; the message says which file and where."""


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Atomically write ``rows`` as JSON Lines (UTF-8, one object per line, keys in given order)."""
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
    return atomic_write_text(path, "".join(lines))


def read_text_utf8(path: str | Path) -> str:
    """Read a UTF-8 text file; a file in another encoding raises a DataFileError naming it."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not valid UTF-8 text (byte {exc.start}); re-save it as UTF-8.") from exc


def iter_jsonl(path: str | Path, tolerate_truncated_tail: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one dict per line of a JSONL file.

    A malformed line raises DataFileError naming the file and line number. With
    ``tolerate_truncated_tail`` a malformed *last* line without a trailing newline
    (what a crash mid-append leaves) is skipped with a warning instead.
    """
    path = Path(path)
    text = read_text_utf8(path)
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            is_tail = number == len(lines) and not text.endswith("\n")
            if tolerate_truncated_tail and is_tail:
                warnings.warn(
                    f"{path}: line {number} was cut off (incomplete write); it was skipped.", stacklevel=2
                )
                return
            raise DataFileError(f"{path}: line {number} is not valid JSON ({exc.msg}).") from exc
        if not isinstance(row, dict):
            raise DataFileError(f"{path}: line {number} is not a JSON object.")
        yield row


def read_jsonl(path: str | Path, tolerate_truncated_tail: bool = False) -> list[dict[str, Any]]:
    """Read a whole JSONL file into a list (see :func:`iter_jsonl`)."""
    return list(iter_jsonl(path, tolerate_truncated_tail=tolerate_truncated_tail))


def append_jsonl(path: str | Path, row: dict[str, Any]) -> None:
    """Append one record to an append-only JSONL log with a single write and an fsync."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
