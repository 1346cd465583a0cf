"""max_tokens + a prompt reserve must fit every vLLM model's context length.

When a chat request carries no max_tokens, the remote::vllm adapter sends the provider's max_tokens; vLLM then
rejects every prompt for which prompt + max_tokens > --max-model-len. The model works with curl and fails in
the playground, which is the hardest of the seed's troubleshooting cases to diagnose.

Whether the dashboard's chat carries a max_tokens of its own is a fact of the release: the release profile's
`provider_max_tokens_applies` (proven on each release's own server by tests/llama_stack_server/
test_dashboard_chat.py). Where it is false, a chat never fails this way and the rule blocks nothing.
"""

from __future__ import annotations

import os

from genai_contract import names
from genai_contract.addresses import maas_route
from genai_contract.names import DEFAULT_MAX_TOKENS
from genai_contract.releases import PROFILES
from genai_contract.releases.profile import ReleaseProfile
from genai_contract.vllm_args import VLLM_VERSION
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from genai_policies._common import Setting, config_bool, config_int, get, to_int
from genai_policies._stack import Playground, VllmProvider, Workload, build_view

NAME = "max-tokens-within-context"
DEFAULT_PROMPT_RESERVE = 1024
# The release our program rendered a ConfigMap for (genai_playground/manifests.py, RELEASE_ANNOTATION). A ConfigMap
# made elsewhere has none: it is judged as every release's server treats it (the rule applies on all of them).
RELEASE_ANNOTATION = "genai-playground/rhoai-release"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    rules = _Rules(
        reserve=config_int(config, "promptReserve", DEFAULT_PROMPT_RESERVE),
        require_context=config_bool(config, "requireKnownContextLength", True),
        require_max_tokens=config_bool(config, "requireKnownMaxTokens", True),
    )
    view = build_view(args.resources)
    for playground in view.playgrounds:
        release = release_profile(playground)
        if release is not None and not release.provider_max_tokens_applies:
            continue
        for provider in view.vllm_providers(playground):
            for model in playground.llm_models_by_provider.get(provider.provider_id, []):
                message = rules.check(playground, provider, model)
                if message:
                    report_violation(message + _why_on(release), playground.config_map.resource.urn)


def release_profile(playground: Playground) -> ReleaseProfile | None:
    """The profile of the release the playground's ConfigMap was rendered for, if it names a known one."""
    release = get(playground.config_map.resource.props, "metadata", "annotations", RELEASE_ANNOTATION)
    return PROFILES.get(release) if isinstance(release, str) else None


def _why_on(release: ReleaseProfile | None) -> str:
    if release is None:
        return ""
    return (
        f"\n{release.title} (Llama Stack {release.server.version}): the dashboard's chat sends no max_tokens of its "
        "own, so the provider's reaches vLLM on every chat."
    )


class _Rules:
    def __init__(self, reserve: int, require_context: bool, require_max_tokens: bool) -> None:
        self.reserve = reserve
        self.require_context = require_context
        self.require_max_tokens = require_max_tokens

    def check(self, playground: Playground, provider: VllmProvider, model: str) -> str | None:
        subject = f"model {model} (provider {provider.provider_id} in {playground.where})"
        facts = provider.workload.facts() if provider.workload else None
        if facts is not None and facts.problems and provider.workload is not None:
            return (
                f"{subject}: vLLM refuses the command line of {provider.workload.served_by()} and exits at start "
                f"(the predictor pod crash-loops): {'; '.join(facts.problems)}. Fix: the flag as vLLM "
                f"{VLLM_VERSION} parses it (--max-model-len: 16384, 16k = 16,000, 16K = 16,384; no decimals with "
                "K, M, G)."
            )
        context, context_origin = provider.workload.context_length() if provider.workload else (None, "")
        if context is None:
            # A model behind the MaaS gateway is the LLMInferenceService's to size: the stack only routes it.
            routed = provider.url is not None and maas_route(provider.url) is not None
            return _unknown_context(subject, provider.workload) if self.require_context and not routed else None
        max_tokens = playground.setting(provider.config, "max_tokens", DEFAULT_MAX_TOKENS)
        requested = to_int(max_tokens.value)
        if not max_tokens.known or requested is None:
            return _unknown_max_tokens(subject, max_tokens) if self.require_max_tokens else None
        if requested + self.reserve <= context:
            return None
        return self._too_large(subject, playground, provider, requested, max_tokens, (context, context_origin))

    def _too_large(
        self,
        subject: str,
        playground: Playground,
        provider: VllmProvider,
        requested: int,
        origin: Setting,
        context_of: tuple[int, str],
    ) -> str:
        context, context_origin = context_of
        total = requested + self.reserve
        vllm_error = (
            f"This model's maximum context length is {context} tokens. However, you requested {total} tokens "
            f"({self.reserve} in the messages, {requested} in the completion). Please reduce the length of the "
            "messages or completion."
        )
        return (
            f"{subject}: max_tokens {requested} plus the {self.reserve}-token prompt reserve is {total}, more than "
            f"the model's context length {context} ({context_origin}). max_tokens comes from {origin.origin}.\n"
            f"Every chat that does not set its own max_tokens would fail at chat time with vLLM's HTTP 400: "
            f'"{vllm_error}"\n'
            f"Fix: {_where_to_lower(playground, provider, origin, max(context - self.reserve, 0))}, or serve the "
            f"model with --max-model-len of at least {total}."
        )


def _where_to_lower(playground: Playground, provider: VllmProvider, origin: Setting, limit: int) -> str:
    endpoint = provider.workload.endpoint if provider.workload else None
    model = get(endpoint.props, "modelName") if endpoint is not None else None
    if origin.env_var and model and names.max_tokens_env(str(model)) == origin.env_var:
        # Our component sets this env var from the stack file: that is where the value is changed.
        stack_file = f"Pulumi.{os.environ.get('PULUMI_STACK') or '<stack>'}.yaml"
        return (
            f"set models[i].maxTokens (the entry with name: {model}) in {stack_file} to at most {limit} "
            f"(pulumi config set --path 'models[i].maxTokens' {limit}); it sets {origin.env_var} on the "
            f"{playground.distribution.kind if playground.distribution else 'LlamaStackDistribution'}"
        )
    if origin.env_var and playground.distribution is not None:
        server = playground.distribution
        return f"set {origin.env_var} on {server.kind} {server.key[1]} to at most {limit}"
    if origin.env_var:
        return f"set {origin.env_var} on the server object that mounts this ConfigMap to at most {limit}"
    return f"set max_tokens of the provider in run.yaml to at most {limit}"


def _unknown_context(subject: str, workload: Workload | None) -> str:
    facts = workload.facts() if workload else None
    if facts is not None and facts.unknowns:
        where = f"{workload.served_by() if workload else ''}: {'; '.join(facts.unknowns)}"
    elif workload:
        where = f"{workload.title} is in the stack without its spec, and no VllmModelEndpoint declares contextLength"
    else:
        where = "its url matches no InferenceService of this stack and no VllmModelEndpoint declares it"
    return (
        f"{subject}: the context length is unknown ({where}), so max_tokens cannot be checked against it. "
        "Fix: set contextLength (the model's --max-model-len) or discover the InferenceService; or turn off "
        "requireKnownContextLength in this policy's config."
    )


def _unknown_max_tokens(subject: str, origin: Setting) -> str:
    return (
        f"{subject}: the effective max_tokens cannot be known before deploy ({origin.origin}), so it cannot be "
        "checked against the context length. Fix: give the env var a literal value; or turn off "
        "requireKnownMaxTokens in this policy's config."
    )


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every remote::vllm provider's effective max_tokens plus a prompt reserve fits the context length "
        "(--max-model-len) of each model it serves."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
    config_schema=PolicyConfigSchema(
        properties={
            "promptReserve": {
                "type": "integer",
                "minimum": 0,
                "default": DEFAULT_PROMPT_RESERVE,
                "description": "Tokens kept free for the prompt on top of max_tokens.",
            },
            "requireKnownContextLength": {
                "type": "boolean",
                "default": True,
                "description": "Report a model whose context length the stack does not reveal.",
            },
            "requireKnownMaxTokens": {
                "type": "boolean",
                "default": True,
                "description": "Report a max_tokens that comes from a Secret or ConfigMap (valueFrom).",
            },
        }
    ),
)
