"""Check Bot API calls against the published specification (methods, parameters, types)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.demo.botapi.errors import ApiError, bad_request


@dataclass(frozen=True)
class Violation:
    """A call the bot made that real Telegram would refuse (or that breaks the spec)."""

    method: str
    kind: str
    detail: str


class SpecViolation(Exception):
    """Raised by the checker: what was violated and the error Telegram would answer."""

    def __init__(self, kind: str, error: ApiError) -> None:
        super().__init__(error.description)
        self.kind = kind
        self.error = error


class _Invalid(Exception):
    """A value does not match the expected types (internal)."""


_MUST_BE = re.compile(r"must be (?:always )?[\"“]?([a-z_]+)")


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """Load the bundled Bot API specification (api.min.json)."""
    text = resources.files("bot.demo.botapi").joinpath("spec/api.min.json").read_text("utf-8")
    return json.loads(text)


class SpecChecker:
    """Validates method names, parameters and value types against api.min.json."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = spec if spec is not None else load_spec()
        self.methods: dict[str, dict[str, Any]] = {
            name.lower(): method for name, method in self.spec["methods"].items()
        }
        self.types: dict[str, dict[str, Any]] = self.spec["types"]

    def method_name(self, name: str) -> str:
        """Return the canonical method name (Telegram's names are case-insensitive)."""
        method = self.methods.get(name.lower())
        if method is None:
            raise SpecViolation("unknown_method", ApiError(404, "Not Found"))
        return str(method["name"])

    def check_call(
        self,
        name: str,
        params: dict[str, Any],
        *,
        files: frozenset[str] = frozenset(),
        form: bool = False,
    ) -> dict[str, Any]:
        """Check one call; return parameters with form strings decoded to their types."""
        method = self.methods.get(name.lower())
        if method is None:
            raise SpecViolation("unknown_method", ApiError(404, "Not Found"))
        fields = {field["name"]: field for field in method.get("fields", [])}
        attached = {v[len("attach://") :] for v in params.values() if _is_attach(v)}
        for key in params:
            if key not in fields and key not in attached:
                raise SpecViolation("unknown_parameter", bad_request(f'unknown parameter "{key}"'))
        for key in files:
            if key not in fields and key not in attached:
                raise SpecViolation("unknown_parameter", bad_request(f'unknown file "{key}"'))
        decoded: dict[str, Any] = {}
        for key, field in fields.items():
            if key in files and "InputFile" in field["types"]:
                decoded[key] = {"_file": key}
                continue
            if key not in params or params[key] is None:
                if field["required"]:
                    raise SpecViolation("missing_parameter", bad_request(_missing(key)))
                continue
            try:
                decoded[key] = self.validate(params[key], field["types"], form=form, files=files)
            except _Invalid as exc:
                raise SpecViolation(
                    "wrong_type",
                    bad_request(f"invalid {key}: expected {' or '.join(field['types'])}; {exc}"),
                ) from None
        for key in attached:
            if key not in files:
                raise SpecViolation("missing_file", bad_request(f'file "{key}" is not attached'))
        return decoded

    def validate(
        self,
        value: Any,
        types: list[str],
        *,
        form: bool = False,
        files: frozenset[str] = frozenset(),
    ) -> Any:
        """Return `value` (decoded when `form`) if it matches one of `types`, else raise."""
        errors: list[str] = []
        for type_name in types:
            try:
                return self._validate_one(value, type_name, form=form, files=files)
            except _Invalid as exc:
                errors.append(str(exc))
        raise _Invalid("; ".join(dict.fromkeys(errors)))

    def _validate_one(
        self, value: Any, type_name: str, *, form: bool, files: frozenset[str]
    ) -> Any:
        if type_name.startswith("Array of "):
            if form and isinstance(value, str):
                value = _json_or_invalid(value)
            if not isinstance(value, list):
                raise _Invalid(f"{_show(value)} is not an array")
            inner = type_name[len("Array of ") :]
            return [self._validate_one(item, inner, form=False, files=files) for item in value]
        if type_name == "String":
            if isinstance(value, str):
                return value
            raise _Invalid(f"{_show(value)} is not a string")
        if type_name == "Integer":
            return _integer(value, form)
        if type_name == "Float":
            return _float(value, form)
        if type_name == "Boolean":
            return _boolean(value, form)
        if type_name == "InputFile":
            if _is_attach(value) and value[len("attach://") :] in files:
                return value
            raise _Invalid("no file uploaded")
        spec_type = self.types.get(type_name)
        if spec_type is None:
            raise _Invalid(f"unknown type {type_name}")
        if "subtypes" in spec_type:
            return self.validate(value, spec_type["subtypes"], form=form, files=files)
        if form and isinstance(value, str):
            value = _json_or_invalid(value)
        if not isinstance(value, dict):
            raise _Invalid(f"{_show(value)} is not a {type_name} object")
        return self._validate_object(value, type_name, spec_type, files)

    def _validate_object(
        self,
        value: dict[str, Any],
        type_name: str,
        spec_type: dict[str, Any],
        files: frozenset[str],
    ) -> dict[str, Any]:
        fields = {field["name"]: field for field in spec_type.get("fields", [])}
        for key in value:
            if key not in fields:
                raise _Invalid(f'unknown field "{key}" in {type_name}')
        out: dict[str, Any] = {}
        for key, field in fields.items():
            if key not in value or value[key] is None:
                if field["required"]:
                    raise _Invalid(f'{type_name} needs field "{key}"')
                continue
            out[key] = self.validate(value[key], field["types"], files=files)
            must = _MUST_BE.search(field.get("description", "")) if key == "type" else None
            if must and out[key] != must.group(1):
                raise _Invalid(f'{type_name}.type must be "{must.group(1)}"')
        return out


def _missing(key: str) -> str:
    if key == "text":
        return "message text is empty"
    return (
        f"{key} is empty"
        if key in {"chat_id", "message_id", "callback_query_id"}
        else (f'parameter "{key}" is required')
    )


def _is_attach(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("attach://")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_or_invalid(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise _Invalid(f"{_show(value)} is not valid JSON") from None


def _integer(value: Any, form: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if form and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise _Invalid(f"{_show(value)} is not an integer")


def _float(value: Any, form: bool) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if form and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise _Invalid(f"{_show(value)} is not a number")


def _boolean(value: Any, form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise _Invalid(f"{_show(value)} is not a boolean")
