"""JSON Lines read a line at a time: each line's number, and its object or why it holds none."""

from __future__ import annotations

from rnnclf.core.files import json_objects


def test_each_non_blank_line_gives_its_number_and_object_or_why_not() -> None:
    lines = ['{"text": "a"}\n', "\n", "{broken\n", "[1, 2]\n", '{"text": "b", "label": 1}\n']
    found = list(json_objects(lines))
    assert [number for number, _ in found] == [1, 3, 4, 5]  # the blank line 2 is no record
    assert found[0][1] == {"text": "a"} and found[3][1] == {"text": "b", "label": 1}
    assert found[1][1].startswith("not valid JSON (") and found[2][1] == "not a JSON object"
