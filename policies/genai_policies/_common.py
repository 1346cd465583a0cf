"""What every rule shares: property access, Llama Stack env substitution, run.yaml parsing, URLs.

Names, vLLM flags and workload facts come from genai_contract, which the program imports too.

Props reach the rules as the SDK's read-only proxies (Mapping / Sequence, not dict / list). Reading an
unknown value through them raises the SDK's UnknownValueError, which the SDK turns into its advisory
"can't run policy during preview"; nothing here catches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import yaml
from genai_contract.wire import as_list as as_list
from genai_contract.wire import as_map as as_map
from genai_contract.wire import get as get
from genai_contract.wire import is_list as is_list
from genai_contract.wire import to_int as to_int

# ---------------------------------------------------------------------------------------------- props


def config_int(config: Mapping[str, Any], key: str, default: int) -> int:
    value = to_int(config.get(key))
    return default if value is None else value


def config_bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key)
    return value if isinstance(value, bool) else default


def object_key(props: Mapping[str, Any]) -> tuple[str, str]:
    """(namespace, name) of a Kubernetes object; namespace "" when the provider's default applies."""
    return str(get(props, "metadata", "namespace") or ""), str(get(props, "metadata", "name") or "")


def show(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}" if key[0] else key[1]


# --------------------------------------------------------------------------- Llama Stack env substitution


@dataclass(frozen=True)
class FromRef:
    """An env var whose value comes from `valueFrom` (a Secret or ConfigMap key): unknown before deploy."""

    source: str


EnvMap = Mapping[str, "str | FromRef"]

# ${env.NAME}, ${env.NAME:=default}, ${env.NAME:+value}
ENV_REF: Final = re.compile(r"\$\{env\.(?P<name>[A-Za-z0-9_]+)(?:(?P<op>:=|:\+)(?P<arg>[^}]*))?\}")


@dataclass(frozen=True)
class Resolution:
    """A run.yaml string after substitution against the container env."""

    text: str | None  # None when a valueFrom makes the result unknowable
    missing: tuple[str, ...] = ()  # ${env.X} with no default and X unset: Llama Stack refuses to start
    from_refs: tuple[str, ...] = ()  # env vars set through valueFrom
    used: tuple[str, ...] = ()  # every env var referenced


def container_env(spec: Any, path: tuple[str, ...] = ("server", "containerSpec", "env")) -> dict[str, str | FromRef]:
    """The server container's env (a LlamaStackDistribution's at `path` by default; an OGXServer's at
    workload.overrides.env): literal values, or FromRef for valueFrom."""
    env: dict[str, str | FromRef] = {}
    for entry in as_list(get(spec, *path)):
        name = get(entry, "name")
        if not isinstance(name, str):
            continue
        source = get(entry, "valueFrom")
        env[name] = FromRef(_describe_source(source)) if source is not None else str(get(entry, "value") or "")
    return env


def _describe_source(source: Any) -> str:
    for kind in ("secretKeyRef", "configMapKeyRef"):
        ref = get(source, kind)
        if ref is not None:
            return f"{kind} {get(ref, 'name')}/{get(ref, 'key')}"
    return "valueFrom"


def resolve(text: str, env: EnvMap) -> Resolution:
    """Substitute `${env...}` as Llama Stack does (an empty value counts as unset)."""
    missing: list[str] = []
    from_refs: list[str] = []
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg") or ""
        used.append(name)
        value = env.get(name)
        if isinstance(value, FromRef):
            from_refs.append(name)
            return ""
        if value:
            return arg if op == ":+" else value
        if op == ":=":
            return arg
        if op is None:
            missing.append(name)
        return ""

    substituted = ENV_REF.sub(replace, text)
    return Resolution(
        text=None if from_refs else substituted,
        missing=tuple(missing),
        from_refs=tuple(from_refs),
        used=tuple(used),
    )


def typed(text: str) -> Any:
    """After substitution Llama Stack turns "" into None, true/false into bools and numbers into numbers."""
    if text == "":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


@dataclass(frozen=True)
class Setting:
    """A provider config value as the server will see it, and where it came from (for messages)."""

    value: Any
    known: bool
    origin: str
    env_var: str | None = None


def setting(config: Mapping[str, Any], key: str, env: EnvMap, default: Any = None) -> Setting:
    raw = config.get(key)
    if raw is None:
        return Setting(default, True, f"the default ({default}): {key} is not set in run.yaml")
    if not isinstance(raw, str) or not ENV_REF.search(raw):
        return Setting(typed(raw) if isinstance(raw, str) else raw, True, f"{key}: {raw} in run.yaml")
    resolution = resolve(raw, env)
    name = resolution.used[0] if resolution.used else None
    if resolution.text is None:
        return Setting(None, False, f"{raw} with {name} from {_from_ref(env, name)}", name)
    if resolution.missing:
        return Setting(None, False, f"{raw} with {name} unset", name)
    value = typed(resolution.text)
    origin = f"{raw} with {name}={env[name]}" if name and env.get(name) else f"{raw} ({name} unset)"
    return Setting(default if value is None else value, True, origin, name)


def _from_ref(env: EnvMap, name: str | None) -> str:
    value = env.get(name) if name else None
    return value.source if isinstance(value, FromRef) else "valueFrom"


def strings_in(node: Any) -> Iterator[str]:
    """Every string value of a parsed YAML document (keys excluded)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from strings_in(value)
    elif is_list(node):
        for item in node:
            yield from strings_in(item)


# ---------------------------------------------------------------------------------------------- run.yaml


@dataclass(frozen=True)
class ParsedRunYaml:
    document: Any
    error: str | None


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=16)
def parse_run_yaml(text: str) -> ParsedRunYaml:
    """Parse once per text: every stack rule reads the same run.yaml. Callers must not mutate the result."""
    try:
        return ParsedRunYaml(yaml.load(text, Loader=_Loader), None)
    except yaml.YAMLError as error:
        return ParsedRunYaml(None, " ".join(str(error).split()))


def providers_of(document: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(api, provider) for every provider entry of a flat-layout run.yaml."""
    for api, entries in as_map(get(document, "providers")).items():
        for entry in as_list(entries):
            if isinstance(entry, Mapping):
                yield str(api), entry


# ------------------------------------------------------------------------------------------------ URLs


def url_path(url: str) -> list[str]:
    rest = url.split("://", 1)[-1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    return [part for part in path.split("?", 1)[0].split("/") if part]
