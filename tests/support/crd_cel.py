"""Evaluate a CRD's CEL rules (`x-kubernetes-validations`) on a rendered object, as the API server does on create.

cel-python (`celpy`) evaluates the rules; Kubernetes' own CEL libraries are added where a pinned CRD uses them:
`quantity()` and `isGreaterThan()` of the quantity library (kubernetes/apiserver pkg/cel/library/quantity.go).
A rule is evaluated at every node of the object its schema node validates, with `self` that node's value, as
apiextensions-apiserver does (pkg/apiserver/schema/cel/validation.go). Transition rules (`oldSelf`) apply only on
update and are reported as not evaluated; a rule using a function this module does not know is an error, never
passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError

from tests.support.crd_schema import Folders, schemas

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")


class Quantity(celtypes.StringType):
    """A parsed Kubernetes quantity (k8s.io/apimachinery pkg/api/resource/quantity.go ParseQuantity)."""

    value: Fraction

    @classmethod
    def parse(cls, text: str) -> Quantity:
        match = _QUANTITY.fullmatch(text)
        if match is None:
            raise ValueError(f"not a Kubernetes quantity: {text!r}")
        number, suffix = Fraction(match.group(1)), match.group(2) or ""
        if suffix in _BINARY:
            scale = Fraction(_BINARY[suffix])
        elif suffix in _DECIMAL:
            scale = _DECIMAL[suffix]
        else:
            scale = Fraction(10) ** int(suffix[1:])
        quantity = cls(text)
        quantity.value = number * scale
        return quantity


def _quantity(text: celtypes.Value) -> Quantity:
    return Quantity.parse(str(text))


def _is_greater_than(left: celtypes.Value, right: celtypes.Value) -> celtypes.BoolType:
    if not (isinstance(left, Quantity) and isinstance(right, Quantity)):
        raise TypeError("isGreaterThan() compares two quantity() values")
    return celtypes.BoolType(left.value > right.value)


def _is_less_than(left: celtypes.Value, right: celtypes.Value) -> celtypes.BoolType:
    if not (isinstance(left, Quantity) and isinstance(right, Quantity)):
        raise TypeError("isLessThan() compares two quantity() values")
    return celtypes.BoolType(left.value < right.value)


KUBERNETES_FUNCTIONS: dict[str, Any] = {
    "quantity": _quantity,
    "isGreaterThan": _is_greater_than,
    "isLessThan": _is_less_than,
}
_ENVIRONMENT = celpy.Environment()


@cache
def _program(rule: str) -> Any:
    return _ENVIRONMENT.program(_ENVIRONMENT.compile(rule), functions=KUBERNETES_FUNCTIONS)


def rules(schema: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, str, str]]:
    """(schema path, rule, message) of every CEL rule in a schema."""
    for rule in schema.get("x-kubernetes-validations") or []:
        yield path or "(object)", str(rule["rule"]), str(rule.get("message", rule["rule"]))
    for name, sub in (schema.get("properties") or {}).items():
        yield from rules(sub, f"{path}.{name}" if path else name)
    if isinstance(schema.get("items"), Mapping):
        yield from rules(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), Mapping):
        yield from rules(schema["additionalProperties"], f"{path}{{}}")


def violations(obj: Mapping[str, Any], directory: Folders) -> list[str]:
    """Each CEL rule the object breaks, as `path: message`; a rule that cannot be evaluated is reported too."""
    key = (str(obj.get("apiVersion")), str(obj.get("kind")))
    schema = schemas(directory).get(key)
    if schema is None:
        return [f"no CRD serves {key[0]} {key[1]}"]
    body = {name: value for name, value in obj.items() if name not in ("apiVersion", "kind", "metadata")}
    return list(_check(schema, body, ""))


def _check(schema: Mapping[str, Any], value: Any, path: str) -> Iterator[str]:
    for rule in schema.get("x-kubernetes-validations") or []:
        text = str(rule["rule"])
        if "oldSelf" in text:
            continue  # a transition rule: evaluated on update only
        try:
            result = _program(text).evaluate({"self": json_to_cel(value)})
        except Exception as error:  # any evaluation failure is a finding, never a pass
            yield f"{path or '(object)'}: rule {text!r} could not be evaluated: {error}"
            continue
        if isinstance(result, CELEvalError):
            yield f"{path or '(object)'}: rule {text!r} could not be evaluated: {result}"
        elif result != celtypes.BoolType(True):
            yield f"{path or '(object)'}: {rule.get('message', text)}"
    if isinstance(value, Mapping):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                yield from _check(sub, value[name], f"{path}.{name}" if path else name)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for name, item in value.items():
                yield from _check(extra, item, f"{path}.{name}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _check(schema["items"], item, f"{path}[{index}]")
