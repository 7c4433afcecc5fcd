"""The JSONPaths of `.datasource` columns (`json:$.a.b`, `json:$.tags[:]`, `json:$.items[:].sku`) and reading them.

Supported: keys by dot (`$.a.b`) or bracket (`$['a-b']`, `$["a b"]`), and `[:]` for every element of an array.
`$.tags[:]` takes the whole array; `$.items[:].sku` takes `sku` of every element (an array of the same length, a
missing `sku` being null); `$` alone is the whole row (for a `JSON` column). Not supported (refused when the
project is read): indexes
(`[0]`), slices other than `[:]`, wildcards, filters and recursive descent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
# A key read inside something that is neither an object nor null (`{"utm": "x"}` for `$.utm.source`).
NOT_AN_OBJECT: Any = type("NotAnObject", (), {"__repr__": lambda self: "not an object"})()
_KEY = re.compile(r"\.([^.\[\]]+)")
_BRACKET_KEY = re.compile(r"\.?\[\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\s*\]")
_ALL = re.compile(r"\[\s*:\s*\]")


@dataclass(frozen=True)
class JsonPath:
    text: str
    steps: tuple[str | None, ...]  # an object key, or None for `[:]` (every element of an array)

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        if not text.startswith("$"):
            raise ValueError(f"JSONPath {text!r} must start with '$'")
        steps: list[str | None] = []
        i = 1
        while i < len(text):
            for pattern in (_ALL, _BRACKET_KEY, _KEY):
                match = pattern.match(text, i)
                if match:
                    break
            else:
                raise ValueError(f"JSONPath {text!r}: cannot read {text[i:]!r} (supported: .key, ['key'], [:])")
            if pattern is _ALL:
                steps.append(None)
            elif pattern is _BRACKET_KEY:
                steps.append(match.group(1) if match.group(1) is not None else match.group(2))
            else:
                steps.append(match.group(1))
            i = match.end()
        if steps and steps[0] is None:
            raise ValueError(f"JSONPath {text!r} must name a key first or be '$' alone (the whole row)")
        return cls(text, tuple(steps))

    @property
    def whole_row(self) -> bool:
        """`$` alone: the whole row object (for a `JSON` column)."""
        return not self.steps

    @property
    def keys_only(self) -> bool:
        """Only object keys, apart from a final `[:]` (which takes the array as it is)."""
        if not self.steps:
            return False
        body = self.steps[:-1] if self.steps[-1] is None else self.steps
        return all(step is not None for step in body)

    def is_top_level(self, key: str) -> bool:
        """True when the path reads the top-level `key` as it is (`$.key` or `$.key[:]`)."""
        return self.steps in ((key,), (key, None))

    def extract(self, obj: Any) -> Any:
        """The value at this path in a parsed JSON row, MISSING (absent, or under a null), or NOT_AN_OBJECT."""
        return _walk(obj, self.steps, 0)


def _walk(value: Any, steps: tuple[str | None, ...], i: int) -> Any:
    while i < len(steps):
        step = steps[i]
        if step is None:
            if i == len(steps) - 1 or not isinstance(value, list):
                return value  # `$.tags[:]`: the array itself; not an array: left for the type check to refuse
            rest = [_walk(item, steps, i + 1) for item in value]
            return [None if item is MISSING else item for item in rest]
        if type(value) is not dict:
            return MISSING if value is None else NOT_AN_OBJECT
        value = value.get(step, MISSING)
        if value is MISSING:
            return MISSING
        i += 1
    return value
