"""Loading survey definitions from YAML, with one-line errors that name file, line and field."""

from __future__ import annotations

import os
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from surveys.definition import Survey
from surveys.rules import DefinitionRuleError, ProfileValues, check_survey

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32
PROFILE_FILE = "profile.yaml"
FieldPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so ``yes:`` stays a key."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser (in every PyYAML wheel): the pure-Python scanner took most
    of the time `machikoe survey validate` needs. Its error messages are terser, so a file it
    refuses is read again by _Loader for the message."""


for _loader in (_Loader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )


class SurveyDefinitionError(Exception):
    """A survey definition that cannot be used; ``str()`` is one line."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where, self.field, self.message] if self.field else [where, self.message]
        return ": ".join(parts)


def format_path(path: FieldPath) -> str:
    """Render a field path like ``questions[3].choices[1].id``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_survey(path: str | os.PathLike[str], *, profile: ProfileValues | None = None) -> Survey:
    """Read and validate a survey definition file (see parse_survey for ``profile``)."""
    source = os.fspath(path)
    name = Path(source).name
    try:
        size = os.path.getsize(source)
        if size > MAX_FILE_BYTES:
            raise SurveyDefinitionError(name, None, "", _too_big(size))
        with open(source, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SurveyDefinitionError(
            name, None, "", f"cannot read file ({error.strerror})"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SurveyDefinitionError(name, None, "", "file is not UTF-8 text") from None
    return parse_survey(text, name, profile=profile)


def _too_big(size: int) -> str:
    return f"file is {size} bytes; the limit is {MAX_FILE_BYTES} (256 KiB)"


@cache
def bundled_profile_values() -> ProfileValues:
    """The allowed codes of each field of the bundled profile survey."""
    text = files("surveys").joinpath("data", PROFILE_FILE).read_text(encoding="utf-8")
    profile = parse_survey(text, PROFILE_FILE, profile={})
    return {question.id: question.choice_ids for question in profile.questions}


def parse_survey(text: str, source: str, *, profile: ProfileValues | None = None) -> Survey:
    """Validate a survey definition given as YAML text; ``source`` names it in errors.

    ``profile`` gives the profile fields and codes that skip logic and indicators may refer to;
    by default those of the bundled profile survey ({} for the profile survey itself).
    """
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise SurveyDefinitionError(source, None, "", _too_big(size))
    node, data = _read_yaml(text, source)
    if node is None:
        raise SurveyDefinitionError(source, None, "", "file is empty")
    if not isinstance(data, dict):
        raise SurveyDefinitionError(
            source, node.start_mark.line + 1, "", "top level must be a mapping of survey fields"
        )
    try:
        survey = Survey.model_validate(data)
        check_survey(survey, bundled_profile_values() if profile is None else profile)
        return survey
    except ValidationError as error:
        first = error.errors()[0]
        path = tuple(first["loc"])
        message = _message(first)
    except DefinitionRuleError as error:
        path, message = error.path, error.message
    raise SurveyDefinitionError(source, _line_of(node, path), format_path(path), message)


def _read_yaml(
    text: str, source: str, loader_class: type[yaml.SafeLoader] = _FastLoader
) -> tuple[yaml.Node | None, Any]:
    """Compose and construct YAML safely; reject aliases and duplicate keys."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    message = f"YAML is nested more than {MAX_DEPTH} levels deep"
                    raise SurveyDefinitionError(source, line, "", message)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise SurveyDefinitionError(
                    source, line, "", "YAML aliases (*name) are not allowed"
                )
    except yaml.YAMLError as error:
        if loader_class is not _Loader:
            return _read_yaml(text, source, _Loader)
        raise _yaml_error(error, source) from None
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicate_keys(node, (), source)
        return node, loader.construct_document(node)
    except yaml.YAMLError as error:
        if loader_class is not _Loader:
            return _read_yaml(text, source, _Loader)
        raise _yaml_error(error, source) from None
    finally:
        loader.dispose()


def _yaml_error(error: yaml.YAMLError, source: str) -> SurveyDefinitionError:
    """Turn a YAML syntax error into a one-line definition error."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return SurveyDefinitionError(source, line, "", f"invalid YAML: {problem}")


def _check_duplicate_keys(node: yaml.Node, path: FieldPath, source: str) -> None:
    """Reject a mapping that repeats a key (plain YAML would keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.tag)
            if name in seen:
                field = format_path((*path, name))
                raise SurveyDefinitionError(
                    source, key.start_mark.line + 1, field, f'duplicate key "{name}"'
                )
            seen.add(name)
            _check_duplicate_keys(value, (*path, name), source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicate_keys(item, (*path, index), source)


def _line_of(node: yaml.Node, path: FieldPath) -> int:
    """The 1-based line of the deepest node the path reaches."""
    line = node.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "string_type": "expected text (quote numbers and dates)",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "enum": "unknown question type; expected single, multi, likert, number or text",
}


def _message(error: Any) -> str:
    """A short message for one pydantic error."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return f'unknown field "{error["loc"][-1]}"'
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "must not be empty"
    message = str(error["msg"])
    return message.removeprefix("Value error, ").replace("Input should be", "must be")
