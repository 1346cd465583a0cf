"""Record the config class of every provider type a release's server knows. Run with that server's Python 3.12.

    .venv-servers/3.3/bin/python tests/support/record_provider_configs.py 3.3            # rewrite the JSON file
    .venv-servers/3.3/bin/python tests/support/record_provider_configs.py 3.3 --stdout   # print it instead

The file (policies/genai_policies/provider_configs/<release>.json) is read by the policy pack, which has no server
installed (Llama Stack up to RHOAI 3.4, OGX from 3.5), to check each run.yaml provider's `config` against the
server's own class: which keys it accepts (a field's alias when it has one, e.g. `api_token` for the vLLM adapter's
`auth_credential`), which are required, and what happens to an unknown key (pydantic's `extra`: "ignore" drops it
silently, "forbid" fails the server's start). Everything comes from the provider registry and the pydantic classes,
nothing by hand.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import types
import typing
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

OUTPUT = Path(__file__).resolve().parents[2] / "policies" / "genai_policies" / "provider_configs"
SERVER = "ogx" if importlib.util.find_spec("ogx") else "llama_stack"
SERVER_NAMES = {"llama_stack": "Llama Stack", "ogx": "OGX"}


def type_name(annotation: Any) -> str:
    """A short, stable spelling of a field's type: `bool | str`, `list[str] | None`, `SqliteKVStoreConfig`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in args)
    if origin is typing.Literal:
        return "Literal[" + ", ".join(json.dumps(arg) for arg in args) + "]"
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(arg) for arg in args)}]" if args else name
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


def input_keys(name: str, field: FieldInfo, populate_by_name: bool) -> list[str]:
    """The keys a run.yaml may use for this field, as pydantic validates input."""
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    if alias is None or alias == name:
        return [name]
    return [alias, name] if populate_by_name else [alias]


def describe(config_class: type[BaseModel]) -> dict[str, Any]:
    populate_by_name = bool(config_class.model_config.get("populate_by_name"))
    fields = {
        name: {
            "keys": input_keys(name, field, populate_by_name),
            "required": field.is_required(),
            "type": type_name(field.annotation),
        }
        for name, field in sorted(config_class.model_fields.items())
    }
    return {
        "config_class": f"{config_class.__module__}.{config_class.__qualname__}",
        "extra": config_class.model_config.get("extra") or "ignore",
        "fields": fields,
    }


def load_class(dotted: str) -> type[BaseModel]:
    module, name = dotted.rsplit(".", 1)
    loaded: type[BaseModel] = getattr(importlib.import_module(module), name)
    return loaded


def record(release: str) -> dict[str, Any]:
    registry = importlib.import_module(f"{SERVER}.core.distribution").get_provider_registry()
    providers: dict[str, dict[str, Any]] = {}
    for api, specs in sorted(registry.items(), key=lambda item: item[0].value):
        providers[api.value] = {
            provider_type: describe(load_class(spec.config_class)) for provider_type, spec in sorted(specs.items())
        }
    return {"release": release, "server": SERVER_NAMES[SERVER], "version": version(SERVER), "providers": providers}


def main() -> None:
    release, *options = sys.argv[1:]
    text = json.dumps(record(release), indent=1, sort_keys=True) + "\n"
    if options == ["--stdout"]:
        sys.stdout.write(text)
    else:
        (OUTPUT / f"{release}.json").write_text(text)


if __name__ == "__main__":
    main()
