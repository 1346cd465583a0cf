"""A rendered playground served by a release's real server, with vLLM stand-ins, all on loopback.

The server runs exactly what the offline preview renders for that release: the ConfigMap's run.yaml / config.yaml
(the profile's config_key), with the env of the LlamaStackDistribution plus what the release's image sets
(tests/llama_stack_server/servers.py, from each image's Containerfile); only the state directory and HOME move
to a temporary folder, and litellm reads its bundled model-cost map instead of fetching one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from genai_contract.releases import profile

from tests.conftest import model
from tests.llama_stack_server.servers import free_port as free_port  # re-exported: tests import it from here
from tests.llama_stack_server.servers import running_server
from tests.llama_stack_server.vllm_standin import StandIn, serving
from tests.test_offline_preview import preview, project_with

# Loopback stand-ins are plain http outside the cluster: that policy is the only one switched off.
POLICY_CONFIG = {"tls-verify-cluster-internal-only": "disabled"}


@dataclass(frozen=True)
class Backend:
    """One InferenceService of the stack, answered by a vLLM stand-in."""

    name: str
    served_model_name: str
    context: int
    max_tokens: int


@dataclass
class Playground:
    url: str
    backends: dict[str, StandIn]  # by InferenceService name
    preview: dict[str, Any]  # the offline preview's --json report
    run_config: dict[str, Any]  # the rendered run.yaml
    log: Path
    release: str = "3.0"
    extra: dict[str, Any] = field(default_factory=dict)


def rendered_objects(render_dir: Path) -> dict[str, dict[str, Any]]:
    objects = [
        yaml.safe_load(path.read_text()) for path in render_dir.glob("*.yaml") if path.name != "kustomization.yaml"
    ]
    return {obj["kind"]: obj for obj in objects}


def render(work: Path, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The offline preview (program and policy pack) of one stack: its JSON report and the rendered objects."""
    (work / "project").mkdir()
    project = project_with(work / "project", config)
    (work / "policy-config.json").write_text(json.dumps(POLICY_CONFIG))
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--policy-config", str(work / "policy-config.json"), "--json"
    )
    assert result.returncode in (0, 1), result.stderr  # 1: a mandatory violation, which a test may want
    # A render blocked by a mandatory policy writes nothing, so the objects come from a render without the pack:
    # the server must show what a blocked config would do.
    rendered = preview(
        "--stack", "test", "--project-dir", str(project), "--render-dir", str(work / "manifests"), "--no-policy-pack"
    )
    assert rendered.returncode == 0, rendered.stderr
    return json.loads(result.stdout), rendered_objects(work / "manifests")


def distribution_env(distribution: dict[str, Any]) -> dict[str, str]:
    """The literal env of a rendered LlamaStackDistribution; the state directory stays the test's (the server
    helpers of servers.py set SQLITE_STORE_DIR)."""
    container = distribution["spec"]["server"]["containerSpec"]["env"]
    return {var["name"]: var["value"] for var in container if "value" in var and var["name"] != "SQLITE_STORE_DIR"}


def serve_backends(
    stack: ExitStack, backends: Sequence[Backend], *, display_names: bool = False
) -> tuple[dict[str, StandIn], list[dict[str, Any]]]:
    """A vLLM stand-in per backend (stopped with `stack`), and the stack file's model entry that points at it
    (with `display_names`, a displayName the playground then lists the model under)."""
    stand_ins: dict[str, StandIn] = {}
    models = []
    for backend in backends:
        stand_in, url = stack.enter_context(serving(backend.served_model_name, backend.context))
        stand_ins[backend.name] = stand_in
        models.append(
            model(
                backend.name,
                url=url,
                contextLength=backend.context,
                maxTokens=backend.max_tokens,
                servedModelName=backend.served_model_name,
                **({"displayName": f"{backend.name} (display)"} if display_names else {}),
            )
        )
    return stand_ins, models


@contextmanager
def serving_playground(
    release: str,
    work: Path,
    backends: list[Backend],
    playground: dict[str, Any],
    env: dict[str, str] | None = None,
) -> Iterator[Playground]:
    """Stand-ins for `backends`, the stack rendered for `release`, and that release's server on its config."""
    with ExitStack() as stack:
        stand_ins, models = serve_backends(stack, backends, display_names=True)
        report, objects = render(
            work, {"release": release, "namespace": "private-ai", "models": models, "playground": playground}
        )
        key = profile(release).config_key
        text = objects["ConfigMap"]["data"][key]
        (work / key).write_text(text)
        server_env = {**distribution_env(objects["LlamaStackDistribution"]), **(env or {})}
        server = stack.enter_context(running_server(release, work / key, work, server_env))
        yield Playground(server.url, stand_ins, report, yaml.safe_load(text), server.log, release)
