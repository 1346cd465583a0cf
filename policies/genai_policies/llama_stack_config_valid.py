"""The server config and the server object that mounts it give a server that starts on its RHOAI release.

Each check is a way the seed's "LlamaStack Pod CrashLoopBackOff" (or a Failed phase, or a server with no
models) happens: no config under the key the release's server reads (`run.yaml`; `config.yaml` from 3.3), YAML
that does not parse, `${env.X}` with X unset, a port the probes do not reach, a distribution name the operator
refuses, a ConfigMap the operator cannot find, keys of another release's layout that its server silently ignores
(or a key it requires), the vLLM URL under a field that release's server drops, or a provider config its class
does not take.

The release of each playground is the one our program annotated (genai_contract.names.RELEASE_ANNOTATION), else
the one whose own data fits a foreign config best (genai_contract.releases.inferred_profile); every verdict that
depends on it names it. Provider configs are checked against the config classes of that release's server,
recorded from the library itself into `provider_configs/<release>.json` (one file per RHOAI release, each from
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

from genai_contract.names import REVISION_KEY, REVISION_PROVIDER_TYPE, SERVER_PORT, VLLM_PROVIDER_TYPE
from genai_contract.releases import PROFILES
from genai_contract.releases.profile import IGNORED_KEYS, REQUIRED_KEYS, ReleaseProfile
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import EnvMap, as_map, get, providers_of, resolve, show, strings_in, to_int
from genai_policies._stack import DEFAULT_RELEASE, Distribution, Playground, StackView, build_view

NAME = "llama-stack-config-valid"
# The chat provider (the dashboard's Responses API: agents, from 3.4 responses) resolves the APIs its release's
# profile lists (chat_needs) at start; without one the server exits: "Failed to resolve 'agents' provider ...
# required dependency 'safety' is not available". A routed API listed in `apis` with no provider still gets the
# router it needs; the others need a provider (chat_needs_provider; for 3.0 the server's own resolver, asked by
# tests/llama_stack_server/test_run_config_validates.py, agrees with both lists).
# Every field a release's remote::vllm config reads its base URL from (url; base_url from Llama Stack 0.4).
VLLM_URL_FIELDS = tuple(dict.fromkeys(p.vllm_url_field for p in PROFILES.values()))
PROVIDER_CONFIGS = Path(__file__).with_name("provider_configs")  # <release>.json
DISABLED_PROVIDER_ID = "__disabled__"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for distribution in view.distributions:
        for message in _distribution_problems(distribution, _profile_of(view, distribution)):
            report_violation(message, distribution.resource.urn)
    for playground in view.playgrounds:
        for message in _document_problems(playground):
            report_violation(message, playground.config_map.resource.urn)
        if playground.distribution is not None and playground.document is not None:
            for message in _runtime_problems(playground, playground.distribution):
                report_violation(message, playground.distribution.resource.urn)
        # A mounted ConfigMap without the release's key gives no playground; it is still this stack's to fix.
        if playground.distribution is not None and playground.text is None:
            report_violation(_missing_key(playground, playground.distribution), playground.config_map.resource.urn)


def _profile_of(view: StackView, distribution: Distribution) -> tuple[ReleaseProfile, str]:
    """The release a server object is judged as: its playground's, else its own annotation (3.0 without one)."""
    for playground in view.playgrounds:
        if playground.distribution is distribution:
            return playground.profile, playground.release
    return distribution.profile, f"{distribution.profile.title} (annotation, or none and no config in the stack)"


def _missing_key(playground: Playground, distribution: Distribution) -> str:
    profile, config_map = playground.profile, playground.config_map
    wanted = config_map.config_key
    others = [key for key in config_map.config_keys if key != wanted]
    found = (
        f"; {', '.join(others)} is the key of other releases, which the {profile.title} server and dashboard do not "
        "read"
        if others
        else ""
    )
    return (
        f"ConfigMap {show(config_map.key)}, mounted by {distribution.subject}, has no {wanted} key (keys: "
        f"{', '.join(sorted(config_map.data)) or 'none'}){found}; on {playground.release} the server reads "
        f"{profile.config_dir}/{wanted} and does not start. Fix: put the server config under the key {wanted}."
    )


def _distribution_problems(distribution: Distribution, judged: tuple[ReleaseProfile, str]) -> Iterator[str]:
    profile, release = judged
    subject = distribution.subject
    spec = distribution.spec
    fields = distribution.fields
    name, image = get(spec, *fields.distribution, "name"), get(spec, *fields.distribution, "image")
    expected = profile.distribution_name
    if image or name != expected:
        chosen = f"image {image}" if image else f"name {name}"
        yield (
            f"{subject}: server.distribution is {chosen}; on {release} the operator runs only the distribution "
            f'name {expected} (others fail with "Distribution name not supported"). Fix: distribution: '
            f"{{name: {expected}}}."
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
    if playground.text is None:
        return  # reported once, as a missing key
    if playground.parse_error is not None:
        yield f"{subject} is not valid YAML, so the server crash-loops at startup: {playground.parse_error}"
        return
    document = playground.document
    if not isinstance(document, Mapping):
        yield f"{subject} is not a YAML mapping (it is {type(document).__name__}); the server cannot start."
        return
    yield from _layout_problems(subject, playground, document)
    if not isinstance(document.get("providers"), Mapping):
        yield f"{subject} has no providers mapping (api -> list of providers); the server cannot start."
    yield from _chat_dependencies(subject, document, profile, playground.release)
    external = "external_providers_dir" in document
    for api, provider in providers_of(document):
        # A provider with `module` comes from that package (0.3.0's external providers): its class is not ours.
        if _enabled(provider, playground.env) and "module" not in provider:
            yield from _provider_config_problems(subject, api, provider, external, profile.release, playground)


def _layout_problems(subject: str, playground: Playground, document: Mapping[str, Any]) -> Iterator[str]:
    profile, release = playground.profile, playground.release
    server = f"{profile.server.package} {profile.server.version}"
    ignored = [key for key in IGNORED_KEYS[profile.layout] if key in document]
    if ignored:
        yield (
            f"{subject} uses {', '.join(ignored)}, keys of another release's layout that the server of {release} "
            f"({server}, {profile.layout} layout) ignores without a word, leaving a playground with no models. "
            f"Fix: the layout of {profile.title} (the program renders it with genai-playground:release "
            f'"{profile.release}").'
        )
    missing = [key for key in REQUIRED_KEYS[profile.layout] if key not in document]
    if missing:
        yield (
            f"{subject} has no {', '.join(missing)}, which the server of {release} ({server}) requires: it does not "
            "start."
        )


def _enabled(provider: Mapping[str, Any], env: EnvMap) -> bool:
    """As the server decides after env substitution; a provider id it cannot know counts as enabled."""
    provider_id = provider.get("provider_id")
    if not isinstance(provider_id, str):
        return bool(provider_id)
    resolved = resolve(provider_id, env).text
    return resolved is None or resolved.strip() not in ("", DISABLED_PROVIDER_ID)


def _provider_config_problems(
    subject: str,
    api: str,
    provider: Mapping[str, Any],
    external: bool,
    release: str = DEFAULT_RELEASE,
    playground: Playground | None = None,
) -> Iterator[str]:
    """Against the config classes of the release's own server (Llama Stack, or OGX on 3.5)."""
    recorded = provider_configs(release)
    server = f"{recorded.get('server', 'Llama Stack')} {recorded['version']}"
    version = f"{server}, {playground.release}" if playground is not None else server
    url_field = PROFILES[release].vllm_url_field
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
        if provider_type == VLLM_PROVIDER_TYPE and key in VLLM_URL_FIELDS and url_field not in config:
            on = playground.release if playground is not None else f"RHOAI {release}"
            yield (
                f"{who}: the model's URL is under {key}, but on {on} the remote::vllm provider ({class_name}, "
                f"{server}) reads {url_field}: the server drops {key} without a word and the provider has no URL "
                f'(its models fail: "You must provide a URL"). Fix: {url_field}: <the same URL>.'
            )
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
def provider_configs(release: str = DEFAULT_RELEASE) -> dict[str, Any]:
    """The config classes recorded from `release`'s server (read once per pack process): `server` (Llama Stack or
    OGX), its `version`, and per API and provider type the keys each field takes."""
    loaded: dict[str, Any] = json.loads((PROVIDER_CONFIGS / f"{release}.json").read_text())
    return loaded


def _agents_dependencies(
    subject: str, document: Mapping[str, Any], profile: ReleaseProfile | None = None
) -> Iterator[str]:
    """The chat provider's dependencies as `profile`'s server resolves them (RHOAI 3.0's unless told)."""
    judged = profile or PROFILES[DEFAULT_RELEASE]
    return _chat_dependencies(subject, document, judged, judged.title)


def _chat_dependencies(
    subject: str, document: Mapping[str, Any], profile: ReleaseProfile, release: str
) -> Iterator[str]:
    chat = profile.chat_api
    with_providers = {api for api, _ in providers_of(document)}
    if chat not in with_providers:
        return
    # Without an `apis` list the server serves the APIs that have providers.
    listed = document.get("apis")
    served = {str(api) for api in listed} if isinstance(listed, list) else with_providers
    server = f"{profile.server.package} {profile.server.version}"
    missing = [api for api in profile.chat_needs if api not in served]
    if missing:
        routed = [api for api in missing if api not in profile.chat_needs_provider]
        yield (
            f"{subject} configures an {chat} provider but does not serve {', '.join(missing)}, which it needs on "
            f"{release} ({server}): the server exits at start (\"Failed to resolve '{chat}' provider ... required "
            f"dependency '{missing[0]}' is not available\") and the pod crash-loops. Fix: list "
            f"{', '.join(routed or missing)} in apis"
            + (" (an API listed with no provider still gets the router it needs)" if routed else "")
            + "".join(f"; configure a {api} provider" for api in missing if api in profile.chat_needs_provider)
            + "."
        )
    unprovided = [api for api in profile.chat_needs_provider if api in served and api not in with_providers]
    if unprovided:
        yield (
            f"{subject} configures an {chat} provider and lists {', '.join(unprovided)} with no provider: on "
            f"{release} ({server}) the {chat} provider needs a {unprovided[0]} provider, not only the API (it is "
            "not routed), so the server exits at start and the pod crash-loops. Fix: configure one (inline::milvus "
            "for vector_io, inline::localfs for files: neither needs model weights)."
        )


def _runtime_problems(playground: Playground, distribution: Distribution) -> Iterator[str]:
    env = distribution.env
    missing = sorted({name for text in strings_in(playground.document) for name in resolve(text, env).missing})
    if missing:
        yield (
            f"{playground.config_map.config_key} of {playground.where} "
            f"references {', '.join('${env.' + n + '}' for n in missing)} with no "
            f"default, and {distribution.subject} does not set "
            f"{'it' if len(missing) == 1 else 'them'}: Llama Stack exits at startup (CrashLoopBackOff). "
            f"Fix: set the env var(s) in {distribution.fields.env_field}, or give a default with ${{env.X:=default}}."
        )
    yield from _port_problems(playground, distribution)
    yield from _ca_bundle_problems(playground, distribution)


def _ca_bundle_problems(playground: Playground, distribution: Distribution) -> Iterator[str]:
    """A provider's tls_verify names the file the operator mounts the server's CA bundle at, but the server object
    names no CA bundle: the file is not there, and the provider's config class refuses a missing path at start
    (remote::vllm VLLMInferenceAdapterConfig.validate_tls_verify: "TLS certificate file does not exist")."""
    if get(distribution.spec, *distribution.fields.ca_bundle):
        return
    bundle = distribution.profile.ca_bundle_file
    for api, provider in providers_of(playground.document):
        setting = playground.setting(as_map(get(provider, "config")), "tls_verify", True)
        if setting.known and setting.value == bundle:
            yield (
                f"{api} provider {get(provider, 'provider_id')} of {playground.where} verifies TLS against {bundle}, "
                f"the file the operator mounts the CA bundle of {distribution.subject} at, but it names no CA "
                f"bundle ({'.'.join(distribution.fields.ca_bundle)}): the file does not exist and Llama Stack exits "
                'at startup ("TLS certificate file does not exist"). Fix: name the CA bundle (OpenShift\'s '
                "service CA: ConfigMap openshift-service-ca.crt, key service-ca.crt), or set tls_verify to true."
            )


def _port_problems(playground: Playground, distribution: Distribution) -> Iterator[str]:
    container = to_int(get(distribution.spec, *distribution.fields.port)) or SERVER_PORT
    server = playground.setting(as_map(get(playground.document, "server")), "port", SERVER_PORT)
    listens = to_int(server.value)
    if server.known and listens is not None and listens != container:
        yield (
            f"{distribution.subject} exposes port {container} ({'.'.join(distribution.fields.port[-2:])}) but "
            f"{playground.config_map.config_key} of {playground.where} "
            f"makes the server listen on {listens} ({server.origin}): the health "
            "probe never succeeds and the pod restarts. Fix: use the same port in both (8321 unless you need "
            "another)."
        )


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "The playground's server config parses, sits under the key and in the layout of its RHOAI release, has "
        "every env var it needs and provider configs the classes of that release's Llama Stack take, and the "
        "LlamaStackDistribution (distribution rh-dev, ConfigMap in its namespace, port) can start it."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
