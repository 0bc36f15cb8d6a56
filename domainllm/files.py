"""Infrastructure: safe file helpers: atomic writes, JSONL reading with precise errors, append-only logs."""

from __future__ import annotations

import fcntl
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


def jsonl_records(path: str | Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Every readable record of a JSONL file with its line number, and one problem per bad line.

    Unlike :func:`iter_jsonl` a bad line does not stop the reading: it becomes a problem
    ``"<file>: line <n>: ..."`` and the lines after it are still read.
    """
    path = Path(path)
    text = read_text_utf8(path)
    lines = text.split("\n")
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            cut = number == len(lines) and not text.endswith("\n")
            why = "cut off (incomplete write)" if cut else f"not valid JSON ({exc.msg})"
            problems.append(f"{path}: line {number}: {why}.")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}: line {number}: not a JSON object.")
            continue
        records.append((number, row))
    return records, problems


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``: ``os.write`` may write only part of it."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(f"could not write to file descriptor {fd} (wrote {written} bytes)")
        view = view[written:]


def append_jsonl(path: str | Path, row: dict[str, Any]) -> None:
    """Append one record to an append-only JSONL log; returns only once it is all on disk.

    Under an exclusive lock (so concurrent writers never interleave): if the file does not end
    in a newline (a writer was killed mid-line), one is written first so the cut line stays
    alone and this record gets a line of its own; short writes are continued until every
    byte is written; then the file is fsynced.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock


def check_output_path(path: str | Path) -> Path:
    """Make sure a result can be written to ``path`` before a long run starts.

    Raises OSError naming the path when it is a folder, its folder cannot be created, or
    the folder is not writable. Nothing is left behind.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise IsADirectoryError(f"Cannot write results to {path}: it is a folder; give a file name.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise PermissionError(
            f"Cannot write results to {path} ({exc.strerror or exc}); choose a writable file."
        ) from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"Cannot write results to {path}: the file is read-only.")
    return path


def read_json_cache(path: str | Path) -> dict[str, Any] | None:
    """A cached JSON object, or None when there is none. A corrupt one (cut off, not JSON, not an
    object) is reported with a warning naming the file and counts as missing, so the caller
    computes it again and overwrites it."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        warnings.warn(f"{path}: cached result unreadable ({exc}); computing it again.", stacklevel=2)
        return None
    if not isinstance(result, dict):
        warnings.warn(f"{path}: cached result is not a JSON object; computing it again.", stacklevel=2)
        return None
    return result
