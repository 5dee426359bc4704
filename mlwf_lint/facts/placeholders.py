"""What counts as a placeholder: text a template left for a person to fill in."""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER_WORD = re.compile(r"\b(TODO|TBD|FIXME)\b")
_PLACEHOLDER_WHOLE = re.compile(r"^\s*<[^<>]+>\s*$")


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and bool(
        PLACEHOLDER_WORD.search(value) or _PLACEHOLDER_WHOLE.match(value)
    )
