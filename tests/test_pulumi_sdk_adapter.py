"""The Pulumi SDK internals the offline engine relies on all exist: an upgrade that drops one fails here, by name."""

from __future__ import annotations

from offline_preview import pulumi_sdk
from offline_preview.engine import run_callable
from offline_preview.stack_files import StackFiles


def test_every_internal_the_engine_needs_exists() -> None:
    assert pulumi_sdk.check() == []


def test_check_names_what_is_missing(monkeypatch) -> None:
    monkeypatch.delattr(pulumi_sdk.MockMonitor, "make_urn")
    assert pulumi_sdk.check() == ["pulumi.runtime.mocks.MockMonitor.make_urn"]


def test_the_root_stack_exports_are_registered() -> None:
    import pulumi

    run = run_callable(lambda: pulumi.export("answer", 42), StackFiles("p", {}, []), "s")
    assert run.outputs == {"answer": 42}


def test_the_source_position_walk_is_off_only_during_a_run() -> None:
    from pulumi.runtime import resource

    before = resource._get_stack_trace
    seen: list[object] = []
    run_callable(lambda: seen.append(resource._get_stack_trace), StackFiles("p", {}, []), "s")
    assert seen and seen[0] is not before  # no engine reads source positions offline
    assert resource._get_stack_trace is before
