"""What the API server would reject is a config error before anything is registered, under `pulumi up` too."""

from __future__ import annotations

import pytest
import yaml

from genai_playground import manifests
from genai_playground.config import MAX_DESCRIPTION, MAX_NAME_TEXT, MAX_URL, ConfigError, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import CONFIG_MAP_MAX_BYTES, asset_patch, run_config_map
from genai_playground.run_config import render_run_config
from offline_preview.errors import OfflineRunError
from offline_preview.snapshots import SnapshotIndex
from tests.conftest import model, stack
from tests.support.isvc_snapshots import live_model
from tests.support.program import run_main

# apimachinery pkg/api/validation/objectmeta.go: TotalAnnotationSizeLimitB, keys and values of all annotations.
ANNOTATIONS_MAX_BYTES = 256 * 1024
WIDEST = "\U0001f600"  # 4 bytes in UTF-8


def test_our_annotations_stay_far_below_the_kubernetes_limit() -> None:
    # The InferenceService's own annotations share the 256 KiB: ours take at most 20 KiB.
    config = parse_stack_config(
        stack(
            model(
                displayName=WIDEST * MAX_NAME_TEXT,
                useCase=WIDEST * MAX_NAME_TEXT,
                description=WIDEST * MAX_DESCRIPTION,
            )
        )
    )
    endpoint = resolve_endpoint(config.models[0], config)
    annotations = asset_patch(endpoint, display_name=endpoint.display_name)["metadata"]["annotations"]
    size = sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())
    assert 18 * 1024 < size < 20 * 1024 < ANNOTATIONS_MAX_BYTES


def many_models(count: int) -> dict[str, object]:
    """Models whose every run.yaml text is as long as allowed: about 2.8 KB of run.yaml each."""
    long_url = "http://vllm.example.com/" + "p" * (MAX_URL - 30) + "/v1"
    return stack(
        *[
            model(
                f"{'m' * 40}-{index:05d}",
                displayName="x" * MAX_NAME_TEXT,
                servedModelName="s" * MAX_NAME_TEXT,
                url=long_url,
            )
            for index in range(count)
        ]
    )


def test_a_run_yaml_over_the_config_map_limit_is_a_config_error() -> None:
    config = parse_stack_config(many_models(400))
    rendered = render_run_config(
        [resolve_endpoint(m, config) for m in config.models], config.playground, config.profile
    )
    assert len(rendered.text.encode()) > CONFIG_MAP_MAX_BYTES
    with pytest.raises(ConfigError) as caught:
        run_config_map(config.namespace, config.playground, rendered, config.profile)
    [problem] = caught.value.problems
    assert problem.startswith("models: run.yaml would be")
    assert "over the 1,048,576 bytes a ConfigMap may hold" in problem


def test_the_program_reports_it_as_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # Raised inside an apply: the component turns it into a RunError, which `pulumi up` prints as is. (A lower
    # limit keeps the program small; the limit itself is the test above.)
    monkeypatch.setattr(manifests, "CONFIG_MAP_MAX_BYTES", 2000)
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(model("a"), model("b")))
    message = str(caught.value)
    assert message.startswith("invalid stack config:\n  - models: run.yaml would be")
    assert "over the 2,000 bytes" in message
    assert "ConfigError" not in message and "Traceback" not in message


def test_a_run_yaml_just_under_the_limit_is_rendered() -> None:
    config = parse_stack_config(many_models(330))
    rendered = render_run_config(
        [resolve_endpoint(m, config) for m in config.models], config.playground, config.profile
    )
    text = run_config_map(config.namespace, config.playground, rendered, config.profile)["data"]["run.yaml"]
    assert len(yaml.safe_load(text)["models"]) == 331  # and the embedding model


def test_a_served_name_read_from_the_cluster_cannot_be_an_env_reference() -> None:
    # The config models refuse `${` in text a user writes; a live InferenceService's args are checked by the
    # run.yaml builder itself.
    snapshots = SnapshotIndex(live_model("a", ["--served-model-name=${env.VLLM_API_TOKEN_B}", "--max-model-len=4096"]))
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(model("a", discover=True), model("b")), snapshots)
    assert "model a: servedModelName" in str(caught.value) and "must not contain '${'" in str(caught.value)


@pytest.mark.parametrize("served", ["line\nbreak", "nul\x00byte", "esc\x1b]0;retitled\x07"])
def test_a_served_name_read_from_the_cluster_cannot_hold_control_characters(served: str) -> None:
    # The same rule as for a servedModelName in the stack file: a name is one line of printable text.
    snapshots = SnapshotIndex(live_model("a", [f"--served-model-name={served}", "--max-model-len=4096"]))
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(model("a", discover=True)), snapshots)
    assert "model a: servedModelName" in str(caught.value) and "must not contain control characters" in str(
        caught.value
    )
    assert served not in str(caught.value)  # shown escaped, never raw
