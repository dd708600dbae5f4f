"""A policy pack's configuration, reconciled and validated as the Pulumi CLI does it.

The file is what ``pulumi preview --policy-pack-config`` reads: per policy an enforcement level,
or an object with ``enforcementLevel`` and the policy's properties; ``all`` sets every level.
:func:`configure` starts from each policy's own level and its config schema's defaults, applies
the pack's ``initial_config``, then the file, and validates each policy's properties against
its schema (the JSON-schema keywords config schemas use).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .policy import LoadedPack

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyPackError(ValueError):
    """A pack that does not load, a config that does not validate, a policy that fails: one line."""


def _level(value: Any, where: str) -> str:
    level = getattr(value, "value", value)  # an EnforcementLevel from initial_config
    if not isinstance(level, str) or level not in LEVELS:
        raise PolicyPackError(
            f"{where}: {value!r} is not an enforcement level ({', '.join(LEVELS)})"
        )
    return level


def _normalize(
    config: Mapping[str, Any], where: str
) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """``{policy: "mandatory" | {"enforcementLevel": ..., prop: value}}`` -> (level, props)."""
    result: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, value in config.items():
        if isinstance(value, Mapping):
            props = dict(value)
            raw = props.pop("enforcementLevel", None)
            level = _level(raw, f"{where}: {name}.enforcementLevel") if raw is not None else None
            result[name] = (level, props)
        elif isinstance(value, str) or hasattr(value, "value"):
            result[name] = (_level(value, f"{where}: {name}"), {})
        else:
            raise PolicyPackError(
                f"{where}: {name}: {value!r} is not valid; must be a string or object"
            )
    return result


def load_policy_config(path: Path | str) -> dict[str, Any]:
    """A ``--policy-pack-config`` file: a JSON object, or nothing at all."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise PolicyPackError(f"--policy-config: {path}: {error.strerror or error}") from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PolicyPackError(f"--policy-config: {path}: not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise PolicyPackError(f"--policy-config: {path}: must be a JSON object")
    _normalize(document, f"--policy-config {path}")  # refuse bad levels now, naming the file
    return document


@dataclass
class PolicySettings:
    level: str
    config: dict[str, Any] | None


def configure(
    pack: LoadedPack, config: Mapping[str, Any] | None = None
) -> tuple[dict[str, PolicySettings], list[str]]:
    """Each policy's enforcement level and config, as the CLI reconciles them; warnings."""
    settings: dict[str, PolicySettings] = {}
    schemas: dict[str, Any] = {}
    for policy in pack.policies:
        level = policy.enforcement_level.value if policy.enforcement_level else None
        schema = policy.config_schema
        schemas[policy.name] = schema
        defaults = None
        if schema is not None:
            defaults = {k: v["default"] for k, v in schema.properties.items() if "default" in v}
        settings[policy.name] = PolicySettings(level or pack.enforcement_level, defaults or None)
    warnings: list[str] = []
    sources = [
        (_normalize(pack.initial_config, f"{pack.name} initial_config"), "initial_config"),
        (_normalize(config or {}, "--policy-config"), "--policy-config"),
    ]
    for given, label in sources:
        every = given.get("all", (None, {}))[0]
        if every:
            for entry in settings.values():
                entry.level = every
        for name, (level, props) in given.items():
            if name == "all":
                continue
            if name not in settings:
                warnings.append(f"{label}: no policy named {name!r} in pack {pack.name}")
                continue
            entry = settings[name]
            entry.level = level or entry.level
            if props:
                entry.config = {**(entry.config or {}), **props}
    errors = []
    for name, entry in settings.items():
        schema = schemas[name]
        if schema is None:
            continue
        properties = schema.properties
        document = {"type": "object", "properties": properties, "required": schema.required or []}
        errors += [f"{name}: {e}" for e in schema_errors(document, entry.config or {}, "")]
        unknown = sorted(set(entry.config or {}) - set(properties))
        warnings += [f"--policy-config: {name} has no property {key!r}" for key in unknown]
    if errors:
        raise PolicyPackError(f"policy config is invalid: {'; '.join(errors)}")
    return settings, warnings


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "array": (list,),
    "object": (dict,),
}


def schema_errors(schema: Mapping[str, Any], value: Any, path: str) -> list[str]:
    """The JSON-schema keywords policy config schemas use: type, items, properties, required,
    enum, minimum, maximum (what the CLI validates with gojsonschema)."""
    where = path or "(root)"
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        ok = any(
            (k == "null" and value is None)
            or (
                isinstance(value, _TYPES.get(k, ()))
                and not (k in ("integer", "number") and isinstance(value, bool))
                and not (k == "integer" and isinstance(value, float) and not value.is_integer())
            )
            for k in allowed
        )
        if not ok:
            return [f"{where}: expected {' or '.join(allowed)}, got {json.dumps(value)}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: must be one of {schema['enum']}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: must be <= {schema['maximum']}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            errors += schema_errors(schema["items"], item, f"{path}[{index}]")
    if isinstance(value, dict):
        for key in schema.get("required") or []:
            if key not in value:
                errors.append(f"{where}: {key} is required")
        for key, sub in (schema.get("properties") or {}).items():
            if key in value:
                errors += schema_errors(sub, value[key], f"{path}.{key}" if path else key)
    return errors
