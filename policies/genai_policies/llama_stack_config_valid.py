"""The run.yaml and the LlamaStackDistribution that mounts it give a server that starts on RHOAI 3.0.

Each check is a way the seed's "LlamaStack Pod CrashLoopBackOff" (or a Failed phase, or a server with no
models) happens: no `run.yaml` key, YAML that does not parse, `${env.X}` with X unset, a port the probes do
not reach, a distribution name the operator refuses, a ConfigMap the operator cannot find, the newer
Llama Stack layout that the 3.0 image silently ignores, or a provider config its class does not take.

Provider configs are checked against the config classes of Llama Stack 0.3.0rc3+rhai0 (the RHOAI 3.0 image's
server), recorded from the library itself into `provider_configs/3.0.json` (one file per RHOAI release, each from
that release's own server; generator: tests/support/record_provider_configs.py). The server
(llama_stack/core/resolver.py) refuses a provider type its registry lacks ("Provider `X` is not available for API
`Y`"), skips a provider whose provider_id resolves empty or to `__disabled__`, loads one with `module` from that
package, and builds each config as `config_class(**config)`: a missing required field fails the start, an unknown
key is dropped without a word (pydantic's default, `extra: ignore`) or fails it (`extra: forbid`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from genai_contract.names import DISTRIBUTION_NAME, REVISION_KEY, REVISION_PROVIDER_TYPE, RUN_YAML_KEY, SERVER_PORT
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import EnvMap, as_map, get, providers_of, resolve, show, strings_in, to_int
from genai_policies._stack import Distribution, Playground, build_view

NAME = "llama-stack-config-valid"
# Keys of the Llama Stack >= 0.3.0 layout; the 3.0 image ignores them, leaving a stack with no models.
NEWER_LAYOUT_KEYS = ("storage", "registered_resources")
# The agents provider (the dashboard's Responses API) resolves these at start (llama_stack/providers/registry/
# agents.py, api_dependencies); without one the server exits: "Failed to resolve 'agents' provider ... required
# dependency 'safety' is not available". A routed API listed in `apis` with no provider still gets the router
# agents need; in 0.3.0rc3+rhai0 vector_io does not: it needs a provider (the server's own resolver, asked by
# tests/llama_stack_server/test_run_config_validates.py, agrees with both lists).
AGENTS_NEEDS = ("inference", "safety", "tool_runtime", "vector_io")
NEEDS_A_PROVIDER = ("vector_io",)
PROVIDER_CONFIGS = Path(__file__).with_name("provider_configs")  # <release>.json
DISABLED_PROVIDER_ID = "__disabled__"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for distribution in view.distributions:
        for message in _distribution_problems(distribution):
            report_violation(message, distribution.resource.urn)
    for playground in view.playgrounds:
        for message in _document_problems(playground):
            report_violation(message, playground.config_map.resource.urn)
        if playground.distribution is not None and playground.document is not None:
            for message in _runtime_problems(playground, playground.distribution):
                report_violation(message, playground.distribution.resource.urn)
    # A mounted ConfigMap without run.yaml gives no playground; it is still this stack's to fix.
    for distribution in view.distributions:
        key = distribution.config_map_key()
        config_map = view.config_maps.get(key) if key else None
        wanted = distribution.config_key
        if config_map is not None and not isinstance(config_map.data.get(wanted), str):
            report_violation(
                f"ConfigMap {show(config_map.key)}, mounted by {distribution.subject}, has "
                f"no {wanted} key (keys: {', '.join(sorted(config_map.data)) or 'none'}); the server reads "
                f"{distribution.profile.config_dir}/{wanted} and does not start. Fix: put the run config under the key "
                f"{wanted}.",
                config_map.resource.urn,
            )


def _distribution_problems(distribution: Distribution) -> Iterator[str]:
    subject = distribution.subject
    spec = distribution.spec
    fields = distribution.fields
    name, image = get(spec, *fields.distribution, "name"), get(spec, *fields.distribution, "image")
    if image or name != DISTRIBUTION_NAME:
        chosen = f"image {image}" if image else f"name {name}"
        yield (
            f"{subject}: server.distribution is {chosen}; on RHOAI 3.0 the operator runs only the distribution "
            f'name {DISTRIBUTION_NAME} (others fail with "Distribution name not supported"). Fix: distribution: '
            f"{{name: {DISTRIBUTION_NAME}}}."
        )
    config_map_name = get(spec, *fields.config_map_name)
    if not config_map_name:
        yield (
            f"{subject}: {'.'.join(fields.config_map_name)} is not set, so the server runs the image's built-in "
            f"config instead of this stack's models. Fix: name the ConfigMap that holds {distribution.config_key}."
        )
        return
    namespace = get(spec, *fields.config_map_namespace) if fields.config_map_namespace else None
    if namespace and namespace != distribution.key[0]:
        yield (
            f"{subject}: userConfig names ConfigMap {namespace}/{config_map_name}, outside the distribution's "
            f"namespace {distribution.key[0]}; the operator mounts only a ConfigMap of its own namespace and the "
            f"phase turns Failed. Fix: put the ConfigMap in {distribution.key[0]}."
        )


def _document_problems(playground: Playground) -> Iterator[str]:
    profile = playground.profile
    subject = f"{playground.config_map.config_key} of {playground.where}"
    if playground.config_map.text is None:
        return  # reported once, as a missing key
    if playground.parse_error is not None:
        yield f"{subject} is not valid YAML, so the server crash-loops at startup: {playground.parse_error}"
        return
    document = playground.document
    if not isinstance(document, Mapping):
        yield f"{subject} is not a YAML mapping (it is {type(document).__name__}); the server cannot start."
        return
    # The flat layout's checks are 3.0's; a later release's layout is its dashboard's.
    newer = [key for key in NEWER_LAYOUT_KEYS if key in document] if profile.layout == "flat" else []
    if newer:
        yield (
            f"{subject} uses {', '.join(newer)}, keys of the Llama Stack >= 0.3.0 layout that the RHOAI 3.0 image "
            "ignores without a word, leaving a playground with no models. Fix: the flat layout (providers, "
            "metadata_store, models, tool_groups at the top)."
        )
    if not isinstance(document.get("providers"), Mapping):
        yield f"{subject} has no providers mapping (api -> list of providers); the server cannot start."
    if profile.layout == "flat":
        yield from _agents_dependencies(subject, document)
    external = "external_providers_dir" in document
    for api, provider in providers_of(document):
        # A provider with `module` comes from that package (0.3.0's external providers): its class is not ours.
        if _enabled(provider, playground.env) and "module" not in provider:
            yield from _provider_config_problems(subject, api, provider, external, profile.release)


def _enabled(provider: Mapping[str, Any], env: EnvMap) -> bool:
    """As the server decides after env substitution; a provider id it cannot know counts as enabled."""
    provider_id = provider.get("provider_id")
    if not isinstance(provider_id, str):
        return bool(provider_id)
    resolved = resolve(provider_id, env).text
    return resolved is None or resolved.strip() not in ("", DISABLED_PROVIDER_ID)


def _provider_config_problems(
    subject: str, api: str, provider: Mapping[str, Any], external: bool, release: str = "3.0"
) -> Iterator[str]:
    """Against the config classes of the release's own server (Llama Stack, or OGX on 3.5)."""
    recorded = provider_configs(release)
    version = f"{recorded.get('server', 'Llama Stack')} {recorded['version']}"
    provider_type = str(provider.get("provider_type"))
    who = f"{subject}: provider {provider.get('provider_id')} ({api}, {provider_type})"
    known = as_map(as_map(recorded["providers"]).get(api))
    if not known:
        yield f"{subject}: API {api} does not exist in {version}; the server does not start."
        return
    spec = known.get(provider_type)
    if spec is None:
        if not external:
            yield (
                f'{who}: {version} has no provider type {provider_type} for {api} ("Provider '
                f'`{provider_type}` is not available for API `{api}`"); the server does not start. Provider '
                f"types of {api}: {', '.join(sorted(known))}."
            )
        return
    config = provider.get("config")
    config = config if isinstance(config, Mapping) else {}
    fields = as_map(spec["fields"])
    accepted = {key: name for name, field in fields.items() for key in field["keys"]}
    class_name = spec["config_class"].rsplit(".", 1)[-1]
    missing = [
        fields[name]["keys"][0] for name in fields if fields[name]["required"] and not _given(fields[name], config)
    ]
    if missing:
        yield (
            f"{who}: the config lacks {', '.join(missing)}, required by {class_name} ({version}); the "
            "server does not start."
        )
    for key in config:
        if key in accepted or spec["extra"] == "allow" or _is_revision_marker(provider_type, key, spec):
            continue
        close = difflib.get_close_matches(str(key), list(accepted), n=1, cutoff=0.5)
        effect = (
            "the server refuses it and does not start"
            if spec["extra"] == "forbid"
            else "the server drops it without a word, so it has no effect"
        )
        yield (
            f"{who}: {class_name} ({version}) has no config key {key}: {effect}."
            f"{f' Did you mean {close[0]}?' if close else ''} Keys it takes: {', '.join(sorted(accepted)) or 'none'}."
        )


def _is_revision_marker(provider_type: str, key: object, spec: Mapping[str, Any]) -> bool:
    """The program's config revision: ignored by the class, yet served by GET /v1/providers (see genai_contract)."""
    return provider_type == REVISION_PROVIDER_TYPE and key == REVISION_KEY and spec["extra"] != "forbid"


def _given(field: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    return any(key in config for key in field["keys"])


@cache
def provider_configs(release: str = "3.0") -> dict[str, Any]:
    """The config classes recorded from `release`'s server (read once per pack process): `server` (Llama Stack or
    OGX), its `version`, and per API and provider type the keys each field takes."""
    loaded: dict[str, Any] = json.loads((PROVIDER_CONFIGS / f"{release}.json").read_text())
    return loaded


def _agents_dependencies(subject: str, document: Mapping[str, Any]) -> Iterator[str]:
    with_providers = {api for api, _ in providers_of(document)}
    if "agents" not in with_providers:
        return
    # Without an `apis` list the server serves the APIs that have providers.
    listed = document.get("apis")
    served = {str(api) for api in listed} if isinstance(listed, list) else with_providers
    missing = [api for api in AGENTS_NEEDS if api not in served]
    if missing:
        yield (
            f"{subject} configures an agents provider but does not serve {', '.join(missing)}, which it needs: the "
            f"server exits at start (\"Failed to resolve 'agents' provider ... required dependency "
            f"'{missing[0]}' is not available\") and the pod crash-loops. Fix: list {', '.join(missing)} in apis "
            "(an API listed with no provider still gets the router agents need, vector_io excepted)."
        )
    unprovided = [api for api in NEEDS_A_PROVIDER if api in served and api not in with_providers]
    if unprovided:
        yield (
            f"{subject} configures an agents provider and lists {', '.join(unprovided)} with no provider: in Llama "
            f"Stack 0.3.0rc3+rhai0 the agents provider needs a {unprovided[0]} provider, not only the API, so the "
            "server exits at start and the pod crash-loops. Fix: configure one (inline::milvus needs no model "
            "weights; the dashboard creates its stores on provider milvus)."
        )


def _runtime_problems(playground: Playground, distribution: Distribution) -> Iterator[str]:
    env = distribution.env
    missing = sorted({name for text in strings_in(playground.document) for name in resolve(text, env).missing})
    if missing:
        yield (
            f"{RUN_YAML_KEY} of {playground.where} references {', '.join('${env.' + n + '}' for n in missing)} with no "
            f"default, and {distribution.subject} does not set "
            f"{'it' if len(missing) == 1 else 'them'}: Llama Stack exits at startup (CrashLoopBackOff). "
            f"Fix: set the env var(s) in {distribution.fields.env_field}, or give a default with ${{env.X:=default}}."
        )
    yield from _port_problems(playground, distribution)


def _port_problems(playground: Playground, distribution: Distribution) -> Iterator[str]:
    container = to_int(get(distribution.spec, *distribution.fields.port)) or SERVER_PORT
    server = playground.setting(as_map(get(playground.document, "server")), "port", SERVER_PORT)
    listens = to_int(server.value)
    if server.known and listens is not None and listens != container:
        yield (
            f"{distribution.subject} exposes port {container} ({'.'.join(distribution.fields.port[-2:])}) but "
            f"{RUN_YAML_KEY} of {playground.where} makes the server listen on {listens} ({server.origin}): the health "
            "probe never succeeds and the pod restarts. Fix: use the same port in both (8321 unless you need "
            "another)."
        )


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "The playground's run.yaml parses, has the flat RHOAI 3.0 layout, every env var it needs and provider "
        "configs their Llama Stack 0.3.0rc3+rhai0 classes take, and the LlamaStackDistribution (distribution "
        "rh-dev, ConfigMap in its namespace, port) can start it."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
