"""Load Llama Stack run.yaml files with the real library (0.3.0rc3+rhai0, as the server does at start). Python 3.12.

    .venv-llama-stack/bin/python tests/support/check_run_config.py FILE... > report.json
    .venv-llama-stack/bin/python tests/support/check_run_config.py --stdin   # one path per line in, one JSON line out

For each file: env substitution (`replace_env_vars`), `StackRunConfig`, then every provider's config through
its provider's own config class from the provider registry, then the server's own dependency resolution
(without starting anything): every provider's required APIs must be served, or the server exits at start.
Prints one JSON list, one entry per file, with what the library understood (the library ignores unknown keys,
so the counts are what a test must check) and the pip packages its providers declare (what `llama stack build`
would install for them).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from llama_stack.apis.datatypes import Api
from llama_stack.core.datatypes import StackRunConfig
from llama_stack.core.distribution import builtin_automatically_routed_apis, get_provider_registry
from llama_stack.core.resolver import sort_providers_by_deps, specs_for_autorouted_apis, validate_and_prepare_providers
from llama_stack.core.stack import add_internal_implementations, replace_env_vars


def check_dependencies(config: StackRunConfig, registry: Any) -> None:
    """What `resolve_impls` does before instantiating: the same order, the same missing-dependency failure."""
    routed = builtin_automatically_routed_apis()
    routing_tables = {info.routing_table_api for info in routed}
    routers = {info.router_api for info in routed}
    specs = validate_and_prepare_providers(config, registry, routing_tables, routers)
    served = config.apis or [*specs, *(a.value for a in routing_tables), *(a.value for a in routers)]
    specs.update(specs_for_autorouted_apis(served))
    internal: dict[Api, Any] = {}  # inspect, providers, prompts, conversations: the server makes these first
    add_internal_implementations(internal, config)
    available = set(internal)
    for api, provider in sort_providers_by_deps(specs, config):
        missing = [dep.value for dep in provider.spec.api_dependencies if dep not in available]
        if missing:
            raise RuntimeError(f"{api} provider {provider.provider_id} needs {missing}, which no listed API serves")
        if not api.startswith("inner-"):
            available.add(Api(api))


def check(path: Path) -> dict[str, Any]:
    try:
        config = StackRunConfig(**replace_env_vars(yaml.safe_load(path.read_text())))
        registry = get_provider_registry(config)
        providers: dict[str, list[str]] = {}
        pip_packages: set[str] = set()
        for api, entries in config.providers.items():
            for provider in entries:
                spec = registry[Api(api)][provider.provider_type]
                module, name = spec.config_class.rsplit(".", 1)
                getattr(importlib.import_module(module), name)(**provider.config)
                providers.setdefault(api, []).append(provider.provider_id)
                pip_packages.update(spec.pip_packages)
        check_dependencies(config, registry)
    except Exception as error:
        return {"file": str(path), "ok": False, "error": f"{type(error).__name__}: {error}"}
    return {
        "file": str(path),
        "ok": True,
        "apis": sorted(str(api.value if isinstance(api, Api) else api) for api in config.apis),
        "providers": providers,
        "models": [
            {"model_id": m.model_id, "provider_id": m.provider_id, "model_type": str(m.model_type.value)}
            for m in config.models
        ],
        "server_port": config.server.port,
        "pip_packages": sorted(pip_packages),
    }


def main() -> None:
    if sys.argv[1:] == ["--stdin"]:
        # Importing llama_stack takes seconds: a test session keeps one checker and sends it many files.
        for line in sys.stdin:
            print(json.dumps(check(Path(line.strip()))), flush=True)
        return
    json.dump([check(Path(name)) for name in sys.argv[1:]], sys.stdout, indent=1)


if __name__ == "__main__":
    main()
