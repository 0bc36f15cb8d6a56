"""The command line, ``python -m domainllm <group> <command>`` (README, "Command line")."""

from __future__ import annotations

from domainllm.cli.commands import main

__all__ = ["main"]
