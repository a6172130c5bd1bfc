"""Skip-logic conditions: a small, safe expression language parsed without eval.

Grammar::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" condition ")" | comparison
    comparison := name "in" list | name "not" "in" list | name "answered"
                | name "not" "answered" | name ("=="|"!="|"<"|"<="|">"|">=") value
                | name "contains" value
    name       := identifier | "profile" "." identifier
    value      := identifier | 'string' | "string" | integer
    list       := "[" [value ("," value)*] "]"

An unanswered or skipped question makes every comparison false (``not in`` too);
only ``not answered`` is true for it. On a multi answer ``in`` means "any chosen code
is in the list", ``not in`` "none is", ``contains a`` "a is chosen", ``== a`` "exactly a".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from surveys.answers import Answer, AnswerValue

KEYWORDS = frozenset({"and", "or", "not", "in", "contains", "answered", "profile"})
MAX_LENGTH = 2000
MAX_DEPTH = 32

Literal = str | int
_ORDER_OPS = ("<", "<=", ">", ">=")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<int>[-+]?\d+(?![A-Za-z0-9_-]))
  | (?P<word>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],.])
    """,
    re.VERBOSE | re.ASCII,
)


class ConditionSyntaxError(ValueError):
    """A condition that does not follow the grammar; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokenize(text: str) -> list[_Token]:
    """Split a condition into tokens, raising on anything the grammar does not know."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ConditionSyntaxError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


@dataclass(frozen=True, slots=True)
class Compare:
    """One comparison of a question's answer or a profile field with literal values."""

    name: str
    op: str
    values: tuple[Literal, ...] = ()

    def evaluate(self, answers: Mapping[str, Answer], profile: Mapping[str, str | None]) -> bool:
        """Whether the comparison holds for these answers and this profile."""
        value = _lookup(self.name, answers, profile)
        if self.op == "answered":
            return value is not None
        if self.op == "not answered":
            return value is None
        if value is None:
            return False
        if self.op == "in":
            return _any_equal(value, self.values)
        if self.op == "not in":
            return not _any_equal(value, self.values)
        if self.op == "contains":
            return _any_equal(value, self.values)
        literal = self.values[0]
        if self.op == "==":
            return _equal(value, literal)
        if self.op == "!=":
            return not _equal(value, literal)
        if not isinstance(value, int) or not isinstance(literal, int):
            return False
        return {
            "<": value < literal,
            "<=": value <= literal,
            ">": value > literal,
            ">=": value >= literal,
        }[self.op]


@dataclass(frozen=True, slots=True)
class Not:
    """Negation of a condition."""

    part: Node

    def evaluate(self, answers: Mapping[str, Answer], profile: Mapping[str, str | None]) -> bool:
        """True when the inner condition is false."""
        return not self.part.evaluate(answers, profile)


@dataclass(frozen=True, slots=True)
class AllOf:
    """Conjunction (``and``)."""

    parts: tuple[Node, ...]

    def evaluate(self, answers: Mapping[str, Answer], profile: Mapping[str, str | None]) -> bool:
        """True when every part holds."""
        return all(part.evaluate(answers, profile) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Disjunction (``or``)."""

    parts: tuple[Node, ...]

    def evaluate(self, answers: Mapping[str, Answer], profile: Mapping[str, str | None]) -> bool:
        """True when at least one part holds."""
        return any(part.evaluate(answers, profile) for part in self.parts)


Node = Compare | Not | AllOf | AnyOf


def _lookup(
    name: str, answers: Mapping[str, Answer], profile: Mapping[str, str | None]
) -> AnswerValue:
    """The current value behind a name, None when unanswered or skipped."""
    if name.startswith("profile."):
        return profile.get(name.removeprefix("profile."))
    answer = answers.get(name)
    if answer is None:
        return None
    if isinstance(answer.value, tuple) and not answer.value:
        return None
    return answer.value


def _equal(value: AnswerValue, literal: Literal) -> bool:
    """Equality between an answer value and a literal (numbers compare as numbers)."""
    if isinstance(value, tuple):
        return value == (str(literal),)
    if isinstance(value, int):
        return isinstance(literal, int) and value == literal
    return value == str(literal)


def _any_equal(value: AnswerValue, literals: tuple[Literal, ...]) -> bool:
    """Whether the value, or any code of a multi answer, equals one of the literals."""
    if isinstance(value, tuple):
        texts = {str(literal) for literal in literals}
        return any(code in texts for code in value)
    return any(_equal(value, literal) for literal in literals)


def _collect(node: Node, into: list[Compare]) -> None:
    """Gather every comparison below a node, in source order."""
    if isinstance(node, Compare):
        into.append(node)
    elif isinstance(node, Not):
        _collect(node.part, into)
    else:
        for part in node.parts:
            _collect(part, into)


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed skip-logic condition."""

    source: str
    root: Node

    def evaluate(self, answers: Mapping[str, Answer], profile: Mapping[str, str | None]) -> bool:
        """Whether the condition holds for these answers and this profile."""
        return self.root.evaluate(answers, profile)

    @property
    def comparisons(self) -> tuple[Compare, ...]:
        """Every comparison in the condition, in source order."""
        found: list[Compare] = []
        _collect(self.root, found)
        return tuple(found)

    @property
    def names(self) -> frozenset[str]:
        """Question ids and ``profile.<field>`` names the condition reads."""
        return frozenset(compare.name for compare in self.comparisons)


class _Parser:
    """Recursive-descent parser over the token list."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def _is_word(self, word: str, offset: int = 0) -> bool:
        token = self.tokens[min(self.pos + offset, len(self.tokens) - 1)]
        return token.kind == "word" and token.text == word

    def _advance(self) -> _Token:
        token = self.token
        if token.kind != "end":
            self.pos += 1
        return token

    def _fail(self, expected: str) -> ConditionSyntaxError:
        found = "end of condition" if self.token.kind == "end" else repr(self.token.text)
        return ConditionSyntaxError(f"expected {expected}, found {found}", self.token.column)

    def _expect_punct(self, text: str) -> None:
        if self.token.text != text or self.token.kind not in ("punct", "op"):
            raise self._fail(repr(text))
        self._advance()

    def parse(self) -> Node:
        node = self._or()
        if self.token.kind != "end":
            raise self._fail('"and", "or" or the end')
        return node

    def _or(self) -> Node:
        parts = [self._and()]
        while self._is_word("or"):
            self._advance()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _and(self) -> Node:
        parts = [self._not()]
        while self._is_word("and"):
            self._advance()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _not(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionSyntaxError("condition is nested too deeply", self.token.column)
        try:
            if self._is_word("not"):
                self._advance()
                return Not(self._not())
            if self.token.kind == "punct" and self.token.text == "(":
                self._advance()
                node = self._or()
                self._expect_punct(")")
                return node
            return self._comparison()
        finally:
            self.depth -= 1

    def _name(self) -> str:
        token = self.token
        if token.kind != "word" or token.text in KEYWORDS - {"profile"}:
            raise self._fail("a question id or profile.<field>")
        self._advance()
        if token.text != "profile":
            return token.text
        self._expect_punct(".")
        field = self.token
        if field.kind != "word" or field.text in KEYWORDS:
            raise self._fail("a profile field after 'profile.'")
        self._advance()
        return f"profile.{field.text}"

    def _value(self) -> Literal:
        token = self.token
        if token.kind == "int":
            self._advance()
            return int(token.text)
        if token.kind == "string":
            self._advance()
            return token.text[1:-1]
        if token.kind == "word" and token.text not in KEYWORDS:
            self._advance()
            return token.text
        raise self._fail("a value")

    def _list(self) -> tuple[Literal, ...]:
        self._expect_punct("[")
        values: list[Literal] = []
        if self.token.text == "]" and self.token.kind == "punct":
            self._advance()
            return ()
        values.append(self._value())
        while self.token.kind == "punct" and self.token.text == ",":
            self._advance()
            values.append(self._value())
        self._expect_punct("]")
        return tuple(values)

    def _comparison(self) -> Compare:
        name = self._name()
        token = self.token
        if self._is_word("in"):
            self._advance()
            return Compare(name, "in", self._list())
        if self._is_word("not") and self._is_word("in", 1):
            self.pos += 2
            return Compare(name, "not in", self._list())
        if self._is_word("not") and self._is_word("answered", 1):
            self.pos += 2
            return Compare(name, "not answered")
        if self._is_word("answered"):
            self._advance()
            return Compare(name, "answered")
        if self._is_word("contains"):
            self._advance()
            return Compare(name, "contains", (self._value(),))
        if token.kind == "op":
            self._advance()
            value = self._value()
            if token.text in _ORDER_OPS and not isinstance(value, int):
                raise ConditionSyntaxError(
                    f"expected an integer after {token.text!r}", token.column
                )
            return Compare(name, token.text, (value,))
        raise self._fail("in, not in, ==, !=, <, <=, >, >=, contains or answered")


def parse_condition(text: str) -> Condition:
    """Parse a skip-logic condition; raises ConditionSyntaxError on malformed text."""
    if not isinstance(text, str):
        raise ConditionSyntaxError("condition must be text", 1)
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"condition is longer than {MAX_LENGTH} characters", 1)
    if not text.strip():
        raise ConditionSyntaxError("condition is empty", 1)
    return Condition(text, _Parser(text).parse())
