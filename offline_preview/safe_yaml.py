"""YAML from users and cluster exports, read within bounds: a problem is an error naming the file, the key path
(or line) and what is allowed, never a traceback, and no input makes the work grow past the limits.

- size: at most `max_bytes` are read; a larger file is an error before any parsing;
- text: UTF-8 (a BOM allowed), or UTF-16 with a BOM, as YAML allows; anything else names the line of the bad byte;
- nesting: at most `max_depth` nested lists and mappings (libyaml's parser itself stops at 1,000);
- aliases: the values a document holds once every alias is expanded are counted without expanding them (each
  anchored value counts once per use): at most `max_values`, so a 1.5 KB alias bomb stops at once;
- values: only what JSON carries (the engine hands config to a program as JSON): strings, numbers, booleans,
  null, lists, mappings with text keys. Unquoted dates, `!!set`, `!!binary`, `!!omap`, `.inf` / `.nan` and other
  tags are errors that say how to write the value instead;
- a key twice in one mapping is an error (YAML forbids it; PyYAML and the Pulumi CLI silently keep the last).
"""

from __future__ import annotations

import codecs
import json
import math
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genai_playground.model_base import key_path
from offline_preview.errors import OfflineRunError

_TAG = "tag:yaml.org,2002:"
_SCALARS = SafeConstructor()  # its int / float / bool readers, without its dates, sets and binary
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int
    max_values: int


class YamlInputError(OfflineRunError):
    """A file the offline preview reads is not YAML it accepts. Message only."""


def read_text(path: Path, what: str, max_bytes: int) -> str:
    """The file's text, reading at most `max_bytes` (a huge file never fills memory)."""
    return decode(read_bytes(path, what, max_bytes), str(path))


def read_bytes(path: Path, what: str, max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes`. Anything else is refused before a byte is read: a FIFO with
    no writer would block the open or the read forever, a device never ends, and a folder is no file."""
    try:
        # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer; the check below
        # then refuses it. It changes nothing for a regular file.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise YamlInputError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    kind = _file_kind(os.fstat(descriptor).st_mode)
    if kind != "a file":
        os.close(descriptor)
        raise YamlInputError(f"{path}: {kind}, not a regular file: name the {what} itself (a file on disk)")
    with os.fdopen(descriptor, "rb") as stream:
        try:
            data = stream.read(max_bytes + 1)
        except OSError as error:
            raise YamlInputError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise YamlInputError(f"{path}: larger than {_size(max_bytes)}, the most a {what} may hold")
    return data


def _file_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_json_object(path: Path, option: str, what: str, max_bytes: int, expected: str) -> dict[str, Any]:
    """The JSON object an option names (`--state`, `--policy-config`); any problem names the option and the file."""
    try:
        document = json.loads(read_text(path, what, max_bytes), parse_int=_json_int)
    except YamlInputError as error:
        raise YamlInputError(f"{option} {error}") from None
    except _TooManyDigitsError as error:
        raise YamlInputError(
            f"{option} {path}: not a readable JSON file: a number with {error.digits:,} digits (at most"
            f" {MAX_INT_DIGITS:,})"
        ) from None
    except RecursionError:
        raise YamlInputError(
            f"{option} {path}: not a readable JSON file: lists and mappings nested too deep (hundreds of levels)"
        ) from None
    except ValueError as error:
        raise YamlInputError(f"{option} {path}: not a readable JSON file: {error}") from None
    if not isinstance(document, dict):
        raise YamlInputError(f"{option} {path}: must be {expected}")
    return document


# Python's own bound on a number's digits (sys.get_int_max_str_digits): named in our words, not Python's.
MAX_INT_DIGITS = 4300


class _TooManyDigitsError(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _TooManyDigitsError(digits)
    return int(text)


def decode(data: bytes, source: str) -> str:
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlInputError(
            f"{source}: line {line}: not {encoding.removesuffix('-sig').upper()} text (byte {error.start}:"
            f" {error.reason}); YAML files must be UTF-8"
        ) from None


def load_documents(
    text: str, source: str, limits: Limits, line_offset: int = 0, place: Sequence[str | int] = ()
) -> list[Any]:
    """Every document of `text` as JSON values (a document with nothing in it is None). `text` may be a piece of
    a file: `line_offset` is its first line there and `place` its key path, for the messages."""
    try:
        nodes = compose_all(text)
    except yaml.MarkedYAMLError as error:
        raise YamlInputError(f"{source}: {describe_yaml_error(error, line_offset)}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1 + line_offset
        raise YamlInputError(
            f"{source}: line {line}: the character #x{error.character:04x} is not allowed in YAML"
        ) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise YamlInputError(f"{source}: not valid YAML: {error}") from None
    converter = _Converter(source, limits, line_offset)
    return [None if node is None else converter.convert(node, list(place)) for node in nodes]


def compose_all(text: str) -> list[Node | None]:
    # libyaml's parser: linear time, and it stops at 1,000 nesting levels by itself (PyYAML's own scanner is
    # quadratic in the depth of [[[...]]]).
    loader = _LOADER(text)
    try:
        nodes = []
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    finally:
        loader.dispose()


def describe_yaml_error(error: yaml.MarkedYAMLError, line_offset: int = 0) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1 + line_offset}, column {mark.column + 1}: " if mark else ""
    context = f" ({error.context})" if error.context else ""
    return f"{where}not valid YAML: {error.problem}{context}"


def _size(count: int) -> str:
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift:
            return f"{count >> shift} {unit}"
    return f"{count} bytes"


class _Converter:
    """Nodes to JSON values. An anchored value is built once and shared by its aliases (as PyYAML does), and
    counted once per use: the count is what the document holds expanded."""

    def __init__(self, source: str, limits: Limits, line_offset: int) -> None:
        self.source, self.line_offset = source, line_offset
        self.max_values, self.max_depth = limits.max_values, limits.max_depth
        self.values = 0
        self.built: dict[int, tuple[Any, int]] = {}
        self.building: set[int] = set()

    def convert(self, node: Node, place: list[str | int]) -> Any:
        return self._value(node, place)

    def _value(self, node: Node, path: list[str | int]) -> Any:
        known = self.built.get(id(node))
        if known is not None:
            self._count(known[1], node, path)
            return known[0]
        if id(node) in self.building:
            raise self._error(path, node, "an alias refers to a value that holds it: the value would be endless")
        self.building.add(id(node))
        before = self.values
        self._count(1, node, path)
        if isinstance(node, ScalarNode):
            value = self._scalar(node, path)
        elif len(self.building) > self.max_depth:
            raise self._error(path, node, f"nested more than {self.max_depth} levels deep")
        elif isinstance(node, SequenceNode):
            value = self._sequence(node, path)
        else:
            value = self._mapping(cast(MappingNode, node), path)
        self.building.discard(id(node))
        self.built[id(node)] = (value, self.values - before)
        return value

    def _count(self, count: int, node: Node, path: list[str | int]) -> None:
        self.values += count
        if self.values > self.max_values:
            raise self._error(
                path,
                node,
                f"holds more than {self.max_values:,} values once its aliases (*name) are expanded;"
                " write the values out, or use fewer aliases",
            )

    def _scalar(self, node: ScalarNode, path: list[str | int]) -> Any:
        tag = node.tag.removeprefix(_TAG)
        if tag in ("str", "value"):
            return node.value
        if tag == "null":
            return None
        if tag == "bool":
            return _SCALARS.construct_yaml_bool(node)
        if tag == "int":
            try:
                return _SCALARS.construct_yaml_int(node)
            except ValueError:
                raise self._error(path, node, "a number with too many digits") from None
        if tag == "float":
            number = _SCALARS.construct_yaml_float(node)
            if not math.isfinite(number):
                raise self._error(path, node, f"{node.value} is not a number JSON can carry: write a number")
            return number
        if tag == "timestamp":
            raise self._error(
                path, node, f'{node.value} is an unquoted date, which JSON cannot carry: quote it ("{node.value}")'
            )
        raise self._error(path, node, f"{_tag_name(node.tag)} values are not allowed: {_ALLOWED}")

    def _sequence(self, node: SequenceNode, path: list[str | int]) -> list[Any]:
        if node.tag != f"{_TAG}seq":
            raise self._error(path, node, f"{_tag_name(node.tag)} is not allowed: write a plain list or mapping")
        return [self._value(item, [*path, index]) for index, item in enumerate(node.value)]

    def _mapping(self, node: MappingNode, path: list[str | int]) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            raise self._error(path, node, f"{_tag_name(node.tag)} is not allowed: write a plain list or mapping")
        merged: dict[str, Any] = {}
        own: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                merged = {**self._merged(value_node, path), **merged}
                continue
            key = self._key(key_node, path)
            if key in own:
                line = key_node.start_mark.line + 1 + self.line_offset
                where = f"on line {line}" if line == lines[key] else f"on lines {lines[key]} and {line}"
                raise self._error([*path, key], key_node, f"this key appears twice in one mapping ({where}): keep one")
            lines[key] = key_node.start_mark.line + 1 + self.line_offset
            own[key] = self._value(value_node, [*path, key])
        # Keys written in the mapping win over merged ones (`<<: *defaults`), as YAML's merge key defines.
        return {**merged, **own} if merged else own

    def _merged(self, node: Node, path: list[str | int]) -> dict[str, Any]:
        value = self._value(node, [*path, "<<"])
        mappings = value if isinstance(value, list) else [value]
        if not all(isinstance(mapping, dict) for mapping in mappings):
            raise self._error([*path, "<<"], node, "<< (merge) takes a mapping or a list of mappings")
        result: dict[str, Any] = {}
        for mapping in reversed(mappings):  # earlier mappings win
            result.update(mapping)
        return result

    def _key(self, node: Node, path: list[str | int]) -> str:
        if isinstance(node, ScalarNode) and node.tag == f"{_TAG}str":
            return str(node.value)
        what = f"the key {node.value}" if isinstance(node, ScalarNode) else "a list or mapping used as a key"
        raise self._error(path, node, f'{what} is not text: keys must be text (quote it: "{_key_text(node)}")')

    def _error(self, path: list[str | int], node: Node, problem: str) -> YamlInputError:
        line = node.start_mark.line + 1 + self.line_offset
        where = f"{key_path(path)} (line {line})" if path else f"line {line}"
        return YamlInputError(f"{self.source}: {where}: {problem}")


_ALLOWED = "use text, numbers, true/false, null, lists and mappings (what JSON can carry)"


def _tag_name(tag: str) -> str:
    return f"!!{tag.removeprefix(_TAG)}" if tag.startswith(_TAG) else tag


def _key_text(node: Node) -> str:
    return str(node.value) if isinstance(node, ScalarNode) else "..."
