"""A dashboard flag the stack turns on has its objects in the stack, and objects the stack declares have their flag.

The 3.4 dashboard shows external endpoints only with `aiAssetCustomEndpoints` and external vector stores only
with `externalVectorStores` (red-hat-data-services/odh-dashboard@rhoai-3.4, backend/src/utils/constants.ts;
which flag a stack key needs: genai_contract.releases, `input_flags`). Judged only where the stack patches the
OdhDashboardConfig (otherwise the flags are the cluster's, unknown here). A patch's outputs hold the whole object
once applied, so a flag someone else set counts as set. Advisory: the playground still works, the objects or the
panel are just not shown.
"""

from __future__ import annotations

from genai_contract.dashboard_inputs import INPUT_CONFIG_MAPS
from genai_contract.names import CONFIG_MAP
from genai_contract.releases import PROFILES
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_map, get, object_key

NAME = "dashboard-flags-match-inputs"
DASHBOARD_KINDS = ("OdhDashboardConfig", "OdhDashboardConfigPatch")
# Stack key -> flag, over every release that has the flag (a flag's name never changes between releases).
FLAGS = {key: flag for profile in PROFILES.values() for key, flag in profile.input_flags.items()}


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    dashboards = [r for r in args.resources if r.resource_type.rsplit(":", 1)[-1] in DASHBOARD_KINDS]
    if not dashboards:
        return
    declared = {get(r.props, "metadata", "name"): r for r in args.resources if r.resource_type == CONFIG_MAP}
    for dashboard in dashboards:
        flags = as_map(get(dashboard.props, "spec", "dashboardConfig"))
        where = "/".join(part for part in object_key(dashboard.props) if part)
        for key, flag in sorted(FLAGS.items()):
            config_map = declared.get(INPUT_CONFIG_MAPS[key])
            if flags.get(flag) is True and config_map is None:
                report_violation(
                    f"OdhDashboardConfig {where} turns on {flag}, but the stack declares no {INPUT_CONFIG_MAPS[key]} "
                    f"ConfigMap: the playground shows an empty list. Declare `{key}` in the stack file, or leave the "
                    "flag off.",
                    dashboard.urn,
                )
            elif flags.get(flag) is not True and config_map is not None:
                report_violation(
                    f"the stack declares {INPUT_CONFIG_MAPS[key]} (`{key}`), but OdhDashboardConfig {where} has "
                    f"{flag} {'false' if flag in flags else 'unset'}: the dashboard does not show them. Fix: drop "
                    f"prerequisites.dashboardFlags.{flag}: false (the program sets it with `{key}`).",
                    config_map.urn,
                )


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Where the stack patches the OdhDashboardConfig: a flag of external endpoints or vector stores on without "
        "their ConfigMap in the stack, or their ConfigMap without the flag."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
)
