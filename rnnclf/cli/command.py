"""What a command of `python -m rnnclf` is: one typed record per command, and the error that is the user's."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass


class UsageError(Exception):
    """Bad input from the command line: exit status 2, a message, no traceback."""


@dataclass(frozen=True)
class Command:
    """One row of the command table (`rnnclf.cli.COMMANDS`): the parser and `--help` are built from these."""

    name: str
    help: str  # its line in `python -m rnnclf --help`
    run: Callable[[argparse.Namespace], int]  # the exit status
    arguments: Callable[[argparse.ArgumentParser], None]  # adds its options, in `--help` order
    sets_threads: bool = False  # it sets torch's threads from its own --threads; the others get the default
