"""Staff-edited YAML tables (abbreviations, glossary): parsed once, re-read when edited.

Errors come back as one sentence naming the file, in the table's own error type.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml

_YAML_LOADER: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # safe either way

T = TypeVar("T")


def read_yaml(path: str, error: type[Exception], what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from None


@lru_cache(maxsize=16)
def _parsed(
    path: str, mtime_ns: int, parse: Callable[[Any, str], Any], error: Any, what: str
) -> Any:
    del mtime_ns  # part of the cache key only: an edited file is read again
    return parse(read_yaml(path, error, what), path)


def load_table(path: Path, parse: Callable[[Any, str], T], error: type[Exception], what: str) -> T:
    """`parse(data, source)` of the YAML file at `path`, cached until the file changes."""
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from None
    error_key: Any = error  # classes hash fine; typeshed's Hashable check says otherwise
    result: T = _parsed(str(path), mtime_ns, parse, error_key, what)
    return result
