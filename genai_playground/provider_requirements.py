"""What the program needs of the Pulumi Kubernetes provider, checked before anything is registered.

Each feature names the provider release that brought it (pulumi/pulumi-kubernetes CHANGELOG.md) and the code
that implements it; the README's table is this list (tests/test_provider_requirements.py keeps them equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version

from genai_playground.model_base import shown
from genai_playground.versions import dotted, parse


@dataclass(frozen=True)
class Feature:
    what: str
    minimum: tuple[int, int, int]
    source: str

    @property
    def version(self) -> str:
        return dotted(self.minimum)


FEATURES = (
    Feature(
        "Patch resources (`CustomResourcePatch`), server-side apply",
        (3, 20, 0),
        "CHANGELOG 3.20.0 #2043; provider/pkg/await/await.go",
    ),
    Feature(
        "`pulumi.com/skipAwait`, `pulumi.com/timeoutSeconds`",
        (1, 0, 0),
        "CHANGELOG 0.20.4 #457; provider/pkg/metadata/overrides.go (SkipAwaitLogic, TimeoutDuration)",
    ),
    Feature(
        "destroying a Patch gives its fields back instead of deleting the object",
        (4, 16, 0),
        "CHANGELOG 4.16.0 #3102; provider/pkg/await/await.go (Deletion: ssa.Relinquish)",
    ),
    Feature(
        "`pulumi.com/waitFor` with a JSON list of `jsonpath=` conditions",
        (4, 18, 0),
        "CHANGELOG 4.18.0; provider/pkg/metadata/overrides.go (ReadyCondition)",
    ),
    Feature(
        "`pulumi.com/waitFor` wins over the built-in await logic",
        (4, 18, 4),
        "CHANGELOG 4.18.4 #3329",
    ),
    Feature(
        "provider config `enablePatchForce` (patches take fields over from other field managers)",
        (4, 29, 0),
        "CHANGELOG 4.29.0 #2280; provider/pkg/await/await.go (patchForce)",
    ),
)
MINIMUM = max(feature.minimum for feature in FEATURES)
MINIMUM_VERSION = dotted(MINIMUM)

# The provider reads its config first and the env var of the CLI's process second, and a flag is on only when its
# text is exactly "true": `enabled == trueStr` (pulumi/pulumi-kubernetes master, provider/pkg/provider/provider.go,
# Configure: enablePatchForce, enableServerSideApply). So "True", "yes" or "1" leave forcing off, and any text but
# "true" turns server-side apply off. The program runs in that same environment, so it sees what the provider sees.
PATCH_FORCE_KEY, PATCH_FORCE_ENV = "enablePatchForce", "PULUMI_K8S_ENABLE_PATCH_FORCE"
SSA_KEY, SSA_ENV = "enableServerSideApply", "PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY"
PROVIDER_TRUE = "true"


def _setting(config: Mapping[str, str], env: Mapping[str, str], key: str, env_name: str) -> tuple[str, str] | None:
    """(where the provider reads the flag, its text), or None when neither config nor env sets it."""
    if key in config:
        return f"kubernetes:{key}", str(config[key])
    if env_name in env:
        return f"environment variable {env_name}", str(env[env_name])
    return None


def provider_problems(
    config: Mapping[str, str], env: Mapping[str, str], sdk_version: str, stack_file: str
) -> list[str]:
    """One line per unmet requirement. `config` holds the stack's `kubernetes:` keys without the prefix.

    The SDK's version is the version of the default provider plugin the engine loads for it.
    """
    problems = []
    version = parse(sdk_version)
    if version is None or version < MINIMUM:
        problems.append(
            f"pulumi-kubernetes {sdk_version} is too old: the program needs >= {MINIMUM_VERSION} "
            "(see README 'Provider versions'); install requirements.txt"
        )
    patch_force = _setting(config, env, PATCH_FORCE_KEY, PATCH_FORCE_ENV)
    if patch_force is None or patch_force[1] != PROVIDER_TRUE:
        got = (
            ""
            if patch_force is None
            else f" ({patch_force[0]} is {shown(patch_force[1])}, which the provider reads as off)"
        )
        problems.append(
            f"kubernetes:{PATCH_FORCE_KEY} must be true in {stack_file}{got} (pulumi config set "
            f"kubernetes:{PATCH_FORCE_KEY} true): the stack takes the fields it patches over from other field "
            "managers (the dashboard's deploy wizard, the operator's default DataScienceCluster); without it "
            "`pulumi up` fails with a server-side apply conflict (README 'What `pulumi up` does')"
        )
    ssa = _setting(config, env, SSA_KEY, SSA_ENV)
    if ssa is not None and ssa[1] != PROVIDER_TRUE:
        problems.append(
            f"kubernetes:{SSA_KEY} must not be false in {stack_file} ({ssa[0]} is {shown(ssa[1])}; the provider"
            ' reads any text but "true" as false): the program patches objects it does not own, which only'
            " server-side apply can do"
        )
    return problems


def provider_config(values: Mapping[str, str]) -> dict[str, str]:
    """The default provider's config in config as the engine hands it: the `kubernetes:` keys, unprefixed."""
    prefix = "kubernetes:"
    return {key.removeprefix(prefix): value for key, value in values.items() if key.startswith(prefix)}


def engine_config_problems(values: Mapping[str, str], env: Mapping[str, str], stack_file: str) -> list[str]:
    """provider_problems for the whole config the engine hands a program, with the installed SDK's version."""
    return provider_problems(provider_config(values), env, version("pulumi_kubernetes"), stack_file)
