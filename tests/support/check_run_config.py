"""Load a server config (run.yaml / config.yaml) as the installed server does at start. Run with that server's Python.

    .venv-servers/3.3/bin/python tests/support/check_run_config.py FILE... > report.json
    .venv-servers/3.3/bin/python tests/support/check_run_config.py --stdin   # one path per line in, one JSON line out
    (a --stdin line may also be {"path": ..., "env": {...}}: the env that file is loaded with)

Works with every release's server in .venv-servers/ (Llama Stack 0.3.x, 0.4.x, 0.7.x; OGX from RHOAI 3.5), each
loading the file the way its own `run` command does:
- Llama Stack 0.3.x: `StackRunConfig(**cast_image_name_to_string(replace_env_vars(doc)))`
  (opendatahub-io/llama-stack@v0.3.5.1+rhai0, llama_stack/cli/stack/run.py `_uvicorn_run`);
- Llama Stack 0.4.x/0.7.x: the same with `StackConfig` (and `cast_distro_name_to_string` in 0.7)
  (@v0.4.2.1+rhai0 and @v0.7.1+rhaiv.1, src/llama_stack/cli/stack/run.py `_uvicorn_run`);
- OGX: `ogx.core.configure.parse_and_maybe_upgrade_config(doc)`, which replaces env vars itself
  (opendatahub-io/ogx@v1.2.2+rhaiv.0, src/ogx/cli/stack/run.py `_uvicorn_run`).
Then every provider's config through its provider's own config class from the provider registry, then the server's
own dependency resolution (without starting anything): every provider's required APIs must be served, or the server
exits at start. Prints one JSON list, one entry per file, with what the library understood (it ignores unknown
keys, so the counts and the LOADED values are what a test must check: e.g. `provider_configs.inference.<id>` of a
remote::vllm shows whether it got a URL), and the pip packages its providers declare.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SERVER = "ogx" if importlib.util.find_spec("ogx") else "llama_stack"
datatypes = importlib.import_module(f"{SERVER}.core.datatypes")
distribution = importlib.import_module(f"{SERVER}.core.distribution")
resolver = importlib.import_module(f"{SERVER}.core.resolver")
stack = importlib.import_module(f"{SERVER}.core.stack")
Api: Any = datatypes.Api


def server_version() -> str:
    return importlib.metadata.version(SERVER)


def load_config(document: Any) -> Any:
    """The document as the installed server's `run` command turns it into its config object."""
    if SERVER == "ogx":
        return importlib.import_module("ogx.core.configure").parse_and_maybe_upgrade_config(document)
    config_class = getattr(datatypes, "StackConfig", None) or datatypes.StackRunConfig
    cast: Callable[[Any], Any] = getattr(stack, "cast_distro_name_to_string", None) or stack.cast_image_name_to_string
    return config_class(**cast(stack.replace_env_vars(document)))


def registered_models(config: Any) -> list[Any]:
    """0.3.0: top-level `models`; from 0.3.5 on: `registered_resources.models`."""
    resources = getattr(config, "registered_resources", None)
    models: list[Any] = resources.models if resources is not None else config.models
    return models


def check_dependencies(config: Any, registry: Any) -> None:
    """What `resolve_impls` does before instantiating: the same order, the same missing-dependency failure."""
    routed = distribution.builtin_automatically_routed_apis()
    routing_tables = {info.routing_table_api for info in routed}
    routers = {info.router_api for info in routed}
    specs = resolver.validate_and_prepare_providers(config, registry, routing_tables, routers)
    served = config.apis or [*specs, *(a.value for a in routing_tables), *(a.value for a in routers)]
    specs.update(resolver.specs_for_autorouted_apis(served))
    if hasattr(stack, "_initialize_storage"):  # from 0.3.5 on, `Stack.initialize` registers the backends first
        stack._initialize_storage(config)
    internal: dict[Any, Any] = {}  # inspect, providers, prompts, conversations...: the server makes these first
    add_internal = stack.add_internal_implementations
    if len(inspect.signature(add_internal).parameters) == 3:  # 0.7 / OGX: (impls, config, policy)
        add_internal(internal, config, [])
    else:
        add_internal(internal, config)
    available = set(internal)
    for api, provider in resolver.sort_providers_by_deps(specs, config):
        missing = [dep.value for dep in provider.spec.api_dependencies if dep not in available]
        if missing:
            raise RuntimeError(f"{api} provider {provider.provider_id} needs {missing}, which no listed API serves")
        if not api.startswith("inner-"):
            available.add(Api(api))


def api_name(api: Any) -> str:
    return str(api.value if isinstance(api, Api) else api)


def check(path: Path) -> dict[str, Any]:
    try:
        config = load_config(yaml.safe_load(path.read_text()))
        registry = distribution.get_provider_registry(config)
        providers: dict[str, list[str]] = {}
        provider_configs: dict[str, dict[str, Any]] = {}
        pip_packages: set[str] = set()
        for api, entries in config.providers.items():
            for provider in entries:
                if not provider.provider_id or provider.provider_id == "__disabled__":  # `${env.X:+id}` unset: dropped
                    continue
                spec = registry[Api(api)][provider.provider_type]
                module, name = spec.config_class.rsplit(".", 1)
                loaded = getattr(importlib.import_module(module), name)(**provider.config)
                providers.setdefault(api, []).append(provider.provider_id)
                provider_configs.setdefault(api, {})[provider.provider_id] = loaded.model_dump(mode="json")
                pip_packages.update(getattr(spec, "pip_packages", []) or [])
        check_dependencies(config, registry)
    except Exception as error:
        return {"file": str(path), "ok": False, "error": f"{type(error).__name__}: {error}"}
    return {
        "file": str(path),
        "ok": True,
        "server": SERVER,
        "server_version": server_version(),
        "apis": sorted(api_name(api) for api in config.apis),
        "providers": providers,
        "provider_configs": provider_configs,
        "models": [
            {"model_id": m.model_id, "provider_id": m.provider_id, "model_type": str(m.model_type.value)}
            for m in registered_models(config)
        ],
        "server_port": config.server.port,
        "pip_packages": sorted(pip_packages),
        "config": config.model_dump(mode="json", exclude={"providers"}),
    }


def main() -> None:
    if sys.argv[1:] == ["--stdin"]:
        # Importing the server takes seconds: a test session keeps one checker and sends it many files.
        # A line is a path, or {"path": ..., "env": {...}}: env set for that file only (`${env.X}` in it).
        for line in sys.stdin:
            request: dict[str, Any] = json.loads(line) if line.startswith("{") else {"path": line.strip()}
            env: dict[str, str] = request.get("env") or {}
            saved = dict(os.environ)
            os.environ.update(env)
            try:
                print(json.dumps(check(Path(request["path"]))), flush=True)
            finally:
                os.environ.clear()
                os.environ.update(saved)
        return
    json.dump([check(Path(name)) for name in sys.argv[1:]], sys.stdout, indent=1)


if __name__ == "__main__":
    main()
