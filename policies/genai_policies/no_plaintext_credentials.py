"""No credential in plain text: not in run.yaml, not in the distribution's env, not in a Secret's state.

The run.yaml ConfigMap and the LlamaStackDistribution's spec are readable by everyone who can read the
namespace; an api token belongs in a Secret, referenced by `valueFrom.secretKeyRef`.

Secrets: a Python policy pack receives secret values already unwrapped (pulumi-policy drops the secret
marker before a rule runs), so the one signal that reaches it is the resource option: `data` / `stringData`
must be among the resource's additionalSecretOutputs, as the typed `kubernetes.core.v1.Secret` always sets.
A Secret made through a generic CustomResource or a hand-written registration lacks it, and its data would be
stored in the state in plain text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from genai_contract.names import (
    CONFIG_MAP,
    CONFIG_MAP_PATCH,
    PLACEHOLDER_TOKEN,
    SECRET,
    SECRET_PATCH,
)
from genai_contract.releases import CONFIG_KEYS
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from genai_policies._common import ENV_REF, as_list, as_map, get, parse_run_yaml, providers_of
from genai_policies._stack import SERVER_FIELDS, SERVER_TYPES

NAME = "no-plaintext-credentials"
TOKEN_KEYS = ("api_token", "api_key")
# Env var names that carry a credential: whole words, so VLLM_MAX_TOKENS is not one.
CREDENTIAL_WORDS = {"TOKEN", "PASSWORD", "PASSWD", "SECRET", "APIKEY", "CREDENTIAL", "CREDENTIALS"}


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in (SECRET, SECRET_PATCH):
        problems = _secret(args)
    elif args.resource_type in SERVER_TYPES:
        problems = _distribution_env(args.props, SERVER_TYPES[args.resource_type])
    elif args.resource_type in (CONFIG_MAP, CONFIG_MAP_PATCH):
        problems = _run_yaml(args.props)
    else:
        return
    for message in problems:
        report_violation(message, None)


def _secret(args: ResourceValidationArgs) -> Iterator[str]:
    marked = set(args.opts.additional_secret_outputs or [])
    for key in ("data", "stringData"):
        if as_map(args.props.get(key)) and key not in marked:
            yield (
                f"Secret {args.name}: {key} is not marked secret (not in additionalSecretOutputs), so its values "
                "are stored in the Pulumi state in plain text. Fix: create it with kubernetes.core.v1.Secret (which "
                f'marks data and stringData), or add additional_secret_outputs=["{key}"] and pulumi.Output.secret.'
            )


def _distribution_env(props: Mapping[str, Any], shape: str) -> Iterator[str]:
    kind = str(get(props, "kind") or "LlamaStackDistribution")
    for entry in as_list(get(props, "spec", *SERVER_FIELDS[shape].env)):
        name, value = str(get(entry, "name") or ""), get(entry, "value")
        if _is_credential(name) and isinstance(value, str) and _is_plaintext(value):
            yield (
                f"env {name} of the {kind} holds a literal credential (anyone who can read the "
                "distribution can read it). Fix: valueFrom.secretKeyRef to a Secret key (a VllmModelEndpoint's "
                "apiTokenSecret)."
            )


def _run_yaml(props: Mapping[str, Any]) -> Iterator[str]:
    """Every key a release's server reads its config from (run.yaml; config.yaml from RHOAI 3.3): the same
    verdict on every release, as a ConfigMap is readable by anyone who can read the namespace."""
    for config_key in CONFIG_KEYS:
        text = get(props, "data", config_key)
        if isinstance(text, str):
            yield from _config_text(config_key, text)


def _config_text(config_key: str, text: str) -> Iterator[str]:
    parsed = parse_run_yaml(text)
    for api, provider in providers_of(parsed.document):
        config = as_map(provider.get("config"))
        for key in TOKEN_KEYS:
            value = config.get(key)
            literal = _literal_part(value) if isinstance(value, str) else None
            if literal is not None and _is_plaintext(literal):
                yield (
                    f"{config_key}: provider {provider.get('provider_id')} ({api}) has a literal {key} (ConfigMaps "
                    f"are not secret). Fix: {key}: ${{env.VLLM_API_TOKEN_<MODEL>:={PLACEHOLDER_TOKEN}}} with the env "
                    "var set from a Secret (valueFrom.secretKeyRef) on the LlamaStackDistribution."
                )


def _literal_part(value: str) -> str | None:
    """The literal a config value carries: the whole string, or the default of ${env.X:=default}."""
    match = ENV_REF.fullmatch(value.strip())
    if match is None:
        return None if ENV_REF.search(value) else value
    return match.group("arg") if match.group("op") == ":=" else None


def _is_plaintext(value: str) -> bool:
    return value.strip() not in ("", PLACEHOLDER_TOKEN)


def _is_credential(name: str) -> bool:
    words = name.upper().split("_")
    pairs = itertools.pairwise(words)
    return bool(CREDENTIAL_WORDS.intersection(words)) or any(pair == ("API", "KEY") for pair in pairs)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        'No literal api token other than "fake" in run.yaml or the LlamaStackDistribution env, and Secret data '
        "marked as Pulumi secrets."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
