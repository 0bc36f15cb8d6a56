"""Command line (infrastructure): argument types checked when parsed, output files checked before a run."""

from __future__ import annotations

import argparse


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def positive_int(text: str) -> int:
    """``--n 0`` or ``--n -3`` is refused when the arguments are parsed (exit status 2)."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """A seed: 0 or more."""
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def check_json_output(path: str | None) -> None:
    """Fail before a long run, not after it, when ``--json`` cannot be written (a folder, a
    read-only place): :func:`domainllm.files.check_output_path` raises OSError naming it."""
    if path:
        from domainllm.files import check_output_path

        check_output_path(path)
