"""Every Secret that gen-ai-aa-custom-model-endpoints or gen-ai-aa-vector-stores names exists in the stack, or is
declared pre-existing.

The 3.4 BFF reads an endpoint's API key from its Secret when the playground calls the model, and checks a vector
store's credential Secret (and its key) before it installs the playground, failing with "credential secret ... not
found" (red-hat-data-services/odh-dashboard@rhoai-3.4, packages/gen-ai/bff/internal/integrations/kubernetes/
token_k8s_client.go). A Secret counts when the stack creates or reads it (kubernetes:core/v1:Secret, same
namespace and name), or when a PlaygroundInputs component of the stack declares it pre-existing (its stack file
names it: `externalEndpoints[].apiKeySecret`, `vectorStores.providers[].credentialSecret`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_contract.dashboard_inputs import INPUTS_TYPE
from genai_contract.names import CONFIG_MAP, SECRET
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_list, get, object_key
from genai_policies._dashboard_inputs import CONFIG_YAML_MAPS, config_yaml, secret_uses, title

NAME = "dashboard-input-secrets-declared"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    created = {object_key(r.props) for r in args.resources if r.resource_type == SECRET}
    declared = {
        (str(get(r.props, "namespace") or ""), str(get(ref, "name")))
        for r in args.resources
        if r.resource_type == INPUTS_TYPE
        for ref in as_list(get(r.props, "preExistingSecrets"))
    }
    for resource in args.resources:
        if resource.resource_type != CONFIG_MAP or get(resource.props, "metadata", "name") not in CONFIG_YAML_MAPS:
            continue
        namespace, name = object_key(resource.props)
        document, _ = config_yaml(resource.props)
        for use in secret_uses(name, document):
            known = (namespace, use.name) in created or ("", use.name) in created or (namespace, use.name) in declared
            if not known:
                report_violation(_message(resource.props, use.name, use.key, use.where), resource.urn)


def _message(props: Mapping[str, Any], secret: str, key: str, where: str) -> str:
    return (
        f"{title(props)}: {where} names Secret {secret} (key {key}), which the stack neither creates nor declares "
        "pre-existing: the dashboard fails when it reads it. Fix: create the Secret in the stack, or name it in the "
        "stack file (externalEndpoints[].apiKeySecret / vectorStores.providers[].credentialSecret) once it exists."
    )


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Secrets named by gen-ai-aa-custom-model-endpoints or gen-ai-aa-vector-stores are created or read by the "
        "stack, or declared pre-existing."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
