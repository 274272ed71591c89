"""Frozen records from JSON: a record built from a mapping, and the error a file that does not fit raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RecordError(ValueError):
    """A config or metrics file whose content does not fit its record."""


def plain(value: Any) -> Any:
    """asdict's output with tuples as lists, as JSON writes them."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def build(cls: type, data: Mapping[str, Any], **converted: Any) -> Any:
    """`cls(**data)`, with nested fields already converted; unknown or missing keys are a RecordError."""
    try:
        return cls(**{**data, **converted})
    except TypeError as error:
        raise RecordError(f"{cls.__name__}: {error}") from None
