"""Typed settings, validated once: the mechanism behind ClusteringConfig and ValueModelConfig.

A settings class is a frozen dataclass that inherits ``Settings`` and makes each field with
``setting``: its default, the allowed values in words, a check, and a parser for what dbt
renders (strings or YAML scalars). ``from_vars`` is the one place where rendered values are
converted; construction checks every value, so functions that receive a settings object never
parse or validate a value again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import Field, field, fields
from typing import Any, ClassVar, Self

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", "none", ""})


def integer(raw: object) -> int:
    """An int, a whole float or a string of digits; not a bool."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        return int(raw)
    raise ValueError(raw)


def number(raw: object) -> float:
    """A number or the text of one; not a bool."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    return float(raw)  # type: ignore[arg-type]


def boolean(raw: object) -> bool:
    """A bool, or true/false (also 1/0, yes/no) as text."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(raw)


def text(raw: object) -> str:
    """A string, stripped."""
    if not isinstance(raw, str):
        raise ValueError(raw)
    return raw.strip()


def is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def at_least(low: int) -> Callable[[Any, Any], bool]:
    """The check of an integer setting with a lower bound."""
    return lambda value, _settings: is_integer(value) and value >= low


def setting(
    default: object,
    allowed: str,
    valid: Callable[[Any, Any], bool],
    parse: Callable[[object], object],
    *,
    dbt_var: bool = True,
) -> Any:
    """A field with its default, its constraint (in words, and as a check of the value and
    the whole settings object) and its parser; ``dbt_var``: the field is a var of the same
    name in dbt_project.yml."""
    return field(
        default=default,
        metadata={"allowed": allowed, "valid": valid, "parse": parse, "dbt_var": dbt_var},
    )


def random_state_setting() -> Any:
    """The project's one seed (var `random_state`), a field of every settings class that
    draws samples or initialisations: the same default and check everywhere."""
    return setting(
        42,
        "an integer in 0..4294967295",
        lambda value, _: is_integer(value) and 0 <= value < 2**32,
        integer,
    )


class Settings:
    """Base of a frozen dataclass of ``setting`` fields: checks on construction, parsing of
    rendered vars in ``from_vars``, messages that name the var and what it accepts."""

    #: What the settings are of, for messages ("clustering", "value model").
    subject: ClassVar[str] = ""
    #: The error every bad value raises.
    error: ClassVar[type[Exception]] = ValueError

    def __post_init__(self) -> None:
        for setting_field in fields(self):  # type: ignore[arg-type]
            value = getattr(self, setting_field.name)
            if not setting_field.metadata["valid"](value, self):
                raise self.error(self._message(setting_field, value) + self._context(setting_field))

    def _context(self, setting_field: Field) -> str:
        """What else a message about ``setting_field`` should say (other settings it
        depends on); nothing by default."""
        return ""

    @classmethod
    def _message(cls, setting_field: Field, value: object) -> str:
        label = "var" if setting_field.metadata["dbt_var"] else "setting"
        allowed = setting_field.metadata["allowed"]
        return f"{label} {setting_field.name} must be {allowed}, got {value!r}"

    @classmethod
    def from_vars(cls, values: Mapping[str, object] | None) -> Self:
        """The settings from dbt's rendered vars (strings or YAML scalars), by name."""
        by_name = {setting_field.name: setting_field for setting_field in fields(cls)}  # type: ignore[arg-type]
        typed: dict[str, object] = {}
        for name, raw in (values or {}).items():
            if name not in by_name:
                raise cls.error(f"unknown {cls.subject} setting {name!r}; known: {sorted(by_name)}")
            try:
                typed[name] = by_name[name].metadata["parse"](raw)
            except (TypeError, ValueError):
                raise cls.error(cls._message(by_name[name], raw)) from None
        return cls(**typed)

    @classmethod
    def dbt_var_names(cls) -> tuple[str, ...]:
        """The settings that are dbt vars (declared with their defaults in dbt_project.yml)."""
        return tuple(f.name for f in fields(cls) if f.metadata["dbt_var"])  # type: ignore[arg-type]
