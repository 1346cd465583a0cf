"""Drive a CrossGuard policy pack the way the Pulumi engine does, with no CLI.

The engine starts a Python pack as `python -u -m pulumi.policy <engine-address> <pack-dir>` (cwd = pack dir,
PULUMI_CONFIG / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_ORGANIZATION set), reads the port the
pack prints, and talks to its Analyzer service: GetAnalyzerInfo, ConfigureStack, Configure (the per-policy
config it resolved itself), Analyze per resource (inputs) and AnalyzeStack (outputs).

The engine address is only a command-line argument for pulumi-policy 1.21: the pack configures the Pulumi
runtime without an engine, so its log messages go to its stderr and nothing connects back. Any address works.

    with PolicyPackProcess(Path("policies"), stack="dev") as pack:
        violations = pack.preview({"gpu-budget": "mandatory"}, registered=inputs, stack=outputs)

where `inputs` / `outputs` are AnalyzedResource lists (the resources' inputs, and every resource's outputs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, NoReturn

import grpc  # type: ignore[import-untyped]
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2  # type: ignore[import-untyped]
from pulumi.output import Unknown
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from offline_preview import processes

# What the engine marshals an unknown (computed) value to, and how it marks a secret.
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
_SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
ENFORCEMENT_LEVELS: Final = ("advisory", "mandatory", "remediate", "disabled")
# The engine's placeholder: the pack never dials it (see the module docstring).
OFFLINE_ENGINE_ADDRESS: Final = "127.0.0.1:0"
# Analyze calls under way at once (see analyze_all).
PIPELINED: Final = 32
_MAX_MESSAGE: Final = 400 * 1024 * 1024  # the pack's own limit; a 500-model stack is far below it
# Every call to the pack has a deadline: a policy that never returns must not hang the preview. A 500-model
# stack's AnalyzeStack takes about a second here.
DEFAULT_CALL_TIMEOUT: Final = 60.0
_STDERR_SHOWN: Final = 4096  # the end of the pack's stderr, in an error message


class PolicyPackError(Exception):
    """The pack did not start, or a call to it failed. Message only."""


class PolicyConfigError(PolicyPackError):
    """A policy config (as given to `--policy-config`) the engine would reject."""


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement_level: str  # advisory | mandatory (remediate is reported as mandatory by the pack)
    message: str  # as the engine prints it: the policy description, a newline, the rule's message
    urn: str  # "" for a stack-wide violation


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: str
    kind: str  # resource | stack
    config_schema: dict[str, Any]  # JSON schema properties, as the pack declares them
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: tuple[PolicyInfo, ...]
    initial_config: dict[str, ResolvedPolicyConfig] = field(default_factory=dict)

    def policy(self, name: str) -> PolicyInfo:
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise KeyError(name)


@dataclass(frozen=True)
class ResolvedPolicyConfig:
    enforcement_level: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalyzedResource:
    """A resource as the engine hands it over: inputs for Analyze, outputs for AnalyzeStack."""

    type: str
    urn: str
    name: str
    properties: Mapping[str, Any]
    parent: str = ""
    dependencies: Sequence[str] = ()
    additional_secret_outputs: Sequence[str] = ()


def secret(value: Any) -> dict[str, Any]:
    """A value marked secret on the wire (the pack unwraps it before a rule sees it)."""
    return {_SIG_KEY: _SECRET_SIG, "value": value}


# ------------------------------------------------------------------------------------------ the process


class PolicyPackProcess:
    """One running pack. A context manager: the process is stopped (by its own pid) on exit."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str = "genai-playground",
        stack: str = "dev",
        organization: str = "organization",
        dry_run: bool = True,
        config: Mapping[str, str] | None = None,
        python: str | None = None,
        startup_timeout: float = 60.0,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
    ) -> None:
        self.pack_dir = pack_dir.resolve()
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.config = dict(config or {})
        self.python = python or _pack_python(self.pack_dir)
        self.startup_timeout = startup_timeout
        self.call_timeout = call_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: Any = None
        # Set by stop(): a thread still waiting for the pack to start (its port, its channel) gives up at once
        # instead of running out its startup timeout.
        self._stopping = threading.Event()

    def __enter__(self) -> PolicyPackProcess:
        try:
            self.start()
        except BaseException:
            self.stop()  # __exit__ does not run when __enter__ fails
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Start the pack's process without waiting for it, so that it boots while the caller works."""
        if self._process is not None:
            return
        self._stopping.clear()
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir}: no PulumiPolicy.yaml (is this a policy pack folder?)")
        # Files, not pipes: nothing can block on a pipe a grandchild of the pack still holds.
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._process = processes.start(
            [self.python, "-u", "-m", "pulumi.policy", OFFLINE_ENGINE_ADDRESS, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=self._environment(),
            stdout=self._stdout,
            stderr=self._stderr,
        )

    def connect(self) -> None:
        """Wait for the launched pack's port, then configure the stack as the engine does first."""
        if self._stub is not None:
            return
        if self._process is None:
            raise PolicyPackError("the policy pack is not running (use it as a context manager, or call start())")
        port = self._read_port()
        channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)],
        )
        self._channel = channel
        if self._stopping.is_set():  # stop() ran before the channel was there to close
            channel.close()
            self._stopped_while_starting()
        # The first call waits for the pack to answer (wait_for_ready). Not channel_ready_future: a channel that
        # stop() closes meanwhile never becomes ready, and its future never says so (the wait ran out its whole
        # timeout); closing the channel ends a call under way at once.
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack, project=self.project, organization=self.organization, dry_run=self.dry_run
        )
        try:
            stub.ConfigureStack(request, timeout=self.startup_timeout, wait_for_ready=True)
        except (grpc.RpcError, ValueError) as error:
            if self._stopping.is_set():
                self._stopped_while_starting()
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                self._fail_start(f"printed port {port} but did not answer on it within {self.startup_timeout:g} s")
            why = error.details() if isinstance(error, grpc.Call) else error
            raise PolicyPackError(
                f"policy pack {self.pack_dir} failed ConfigureStack: {why}\n{self._stderr_end()}"
            ) from None
        self._stub = stub

    def _stopped_while_starting(self) -> NoReturn:
        raise PolicyPackError(f"policy pack {self.pack_dir}: stopped while it was starting")

    def stop(self) -> None:
        self._stopping.set()
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        process, self._process = self._process, None
        if process is not None:
            processes.stop(process, grace_seconds=5)
        for stream in (self._stdout, self._stderr):
            if stream is not None:
                stream.close()
        self._stdout = self._stderr = None

    # ---------------------------------------------------------------------------------------- calls

    def info(self) -> PackInfo:
        """The pack's policies; the version is PulumiPolicy.yaml's when it has one, as the CLI reports it."""
        info = pack_info_of(self._call("GetAnalyzerInfo", empty_pb2.Empty()))
        version = _declared_version(self.pack_dir)
        return replace(info, version=version) if version else info

    def configure(self, config: Mapping[str, ResolvedPolicyConfig]) -> None:
        """Send fully resolved config (see resolve_policy_config), as the engine does after reconciling it."""
        self._call("Configure", configure_request(config))

    def analyze(self, resource: AnalyzedResource) -> list[Violation]:
        return self.analyze_all([resource])

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> list[Violation]:
        return violations_of(self._call("AnalyzeStack", analyze_stack_request(resources)))

    def preview(
        self,
        user_config: Mapping[str, Any],
        registered: Iterable[AnalyzedResource],
        stack: Iterable[AnalyzedResource],
    ) -> list[Violation]:
        """One `pulumi preview --policy-config`: Configure, Analyze every registered resource (inputs; reads are
        not analyzed), then AnalyzeStack over every resource (outputs). Resource violations come first."""
        self.configure(resolve_policy_config(self.info(), user_config))
        return self.analyze_all(registered) + self.analyze_stack(stack)

    def analyze_all(self, resources: Iterable[AnalyzedResource]) -> list[Violation]:
        """Analyze each resource, up to PIPELINED calls under way at once: the pack works on one while the next is
        sent (the engine, too, analyzes resources while others are still being registered)."""
        found: list[Violation] = []
        window: deque[tuple[AnalyzedResource, Any]] = deque()
        for resource in resources:
            window.append((resource, self._send("Analyze", analyze_request(resource))))
            if len(window) >= PIPELINED:
                found += self._violations_of(*window.popleft())
        while window:
            found += self._violations_of(*window.popleft())
        return found

    def _violations_of(self, resource: AnalyzedResource, call: Any) -> list[Violation]:
        # The engine reports a resource policy's violation against the resource it analyzed.
        return violations_of(self._result(call, "Analyze", resource.urn), default_urn=resource.urn)

    def stderr(self) -> str:
        """What the pack wrote to stderr so far (its log messages and tracebacks)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    # -------------------------------------------------------------------------------------- internals

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
        env.update(
            PULUMI_CONFIG=json.dumps(self.config),
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN=json.dumps(self.dry_run),
            PULUMI_ORGANIZATION=self.organization,
        )
        return env

    def _read_port(self) -> int:
        """The first line the pack prints (its port), polled from its stdout file."""
        process, stdout = self._process, self._stdout
        assert process is not None and stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._stopping.is_set():
                self._stopped_while_starting()
            try:
                stdout.seek(0)
                printed = stdout.read(256)
            except ValueError:  # stop() closed the file meanwhile
                self._stopped_while_starting()
            if b"\n" in printed:
                break
            if process.poll() is not None:
                self._fail_start("exited before printing its port")
            if time.monotonic() > deadline:
                self._fail_start(f"printed no port within {self.startup_timeout:g} s")
            self._stopping.wait(0.005)
        first = printed.partition(b"\n")[0]
        try:
            return int(first.strip())
        except ValueError:
            self._fail_start(f"printed {first[:200]!r} instead of its port")

    def _fail_start(self, why: str) -> NoReturn:
        output = self._stderr_end()
        self.stop()
        raise PolicyPackError(f"policy pack {self.pack_dir} {why}:\n{output}".rstrip())

    def _call(self, method: str, request: Any, subject: str = "") -> Any:
        return self._result(self._send(method, request), method, subject)

    def _send(self, method: str, request: Any) -> Any:
        """The call under way (a gRPC future), with the deadline every call has."""
        self.connect()
        return getattr(self._stub, method).future(request, timeout=self.call_timeout)

    def _result(self, call: Any, method: str, subject: str = "") -> Any:
        try:
            return call.result()
        except grpc.RpcError as error:
            what = f"{method} of {subject}" if subject else method
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                why = (
                    f"did not answer {what} within {self.call_timeout:g} s (--policy-timeout): a policy never"
                    " returns, or the pack is stuck"
                )
            else:
                why = f"failed {what}: {error.details() if isinstance(error, grpc.Call) else error}"
            raise PolicyPackError(f"policy pack {self.pack_dir} {why}\n{self._stderr_end()}".rstrip()) from None

    def _stderr_end(self) -> str:
        text = self.stderr()
        return text if len(text) <= _STDERR_SHOWN else "...\n" + text[-_STDERR_SHOWN:]


def _pack_python(pack_dir: Path) -> str:
    """The pack's own virtualenv (PulumiPolicy.yaml: virtualenv: venv) when it exists, as the engine uses."""
    candidate = pack_dir / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return str(candidate) if candidate.is_file() else sys.executable


def _declared_version(pack_dir: Path) -> str | None:
    try:
        document = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None
    version = document.get("version") if isinstance(document, Mapping) else None
    return str(version) if version else None


# ------------------------------------------------------------------------------------------ wire values


def _wire(value: Any) -> Any:
    """Plain JSON values, with unknowns as the engine's sentinel (secret markers pass through as dicts)."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(key): _wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value


def _struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(_wire(properties))
    return struct


def _options(resource: AnalyzedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        additionalSecretOutputs=list(resource.additional_secret_outputs), parent=resource.parent
    )


def _level_number(level: str) -> int:
    if level not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(f"{level!r} is not an enforcement level ({', '.join(ENFORCEMENT_LEVELS)})")
    return int(analyzer_pb2.EnforcementLevel.Value(level.upper()))


def _level_name(number: int) -> str:
    return str(analyzer_pb2.EnforcementLevel.Name(number)).lower()


def configure_request(config: Mapping[str, ResolvedPolicyConfig]) -> Any:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, resolved in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = _level_number(resolved.enforcement_level)
        entry.properties.update(_wire(dict(resolved.properties)))
    return request


def analyze_request(resource: AnalyzedResource) -> Any:
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=_struct(resource.properties),
        options=_options(resource),
    )


def analyze_stack_request(resources: Iterable[AnalyzedResource]) -> Any:
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=_struct(r.properties),
                options=_options(r),
                parent=r.parent,
                dependencies=list(r.dependencies),
            )
            for r in resources
        ]
    )


def violations_of(response: Any, default_urn: str = "") -> list[Violation]:
    return [
        Violation(
            policy=diagnostic.policyName,
            enforcement_level=_level_name(diagnostic.enforcementLevel),
            message=diagnostic.message,
            urn=diagnostic.urn or default_urn,
        )
        for diagnostic in response.diagnostics
    ]


def pack_info_of(response: Any) -> PackInfo:
    policies = tuple(
        PolicyInfo(
            name=policy.name,
            description=policy.description,
            enforcement_level=_level_name(policy.enforcementLevel),
            kind="stack" if policy.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            config_schema=json_format.MessageToDict(policy.configSchema.properties),
            required=tuple(policy.configSchema.required),
        )
        for policy in response.policies
    )
    initial = {
        name: ResolvedPolicyConfig(_level_name(entry.enforcementLevel), json_format.MessageToDict(entry.properties))
        for name, entry in response.initialConfig.items()
    }
    return PackInfo(name=response.name, version=response.version, policies=policies, initial_config=initial)


# ------------------------------------------------------------------------------------------ policy config


def parse_policy_config(document: Mapping[str, Any]) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """A `--policy-config` document: policy (or "all") -> an enforcement level, or an object of
    `enforcementLevel` plus properties. Returns name -> (level or None, properties)."""
    parsed: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, value in document.items():
        if isinstance(value, str):
            parsed[name] = (_checked_level(name, value), {})
        elif isinstance(value, Mapping):
            properties = dict(value)
            level = properties.pop("enforcementLevel", None)
            if level is not None and not isinstance(level, str):
                raise PolicyConfigError(f"{name}: enforcementLevel {level!r} must be a string")
            parsed[name] = (_checked_level(name, level) if level is not None else None, properties)
        else:
            raise PolicyConfigError(f"{name}: {value!r} is not a valid value; must be a string or object")
    return parsed


def _checked_level(name: str, level: str) -> str:
    if level not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(f"{name}: {level!r} is not a valid enforcement level ({', '.join(ENFORCEMENT_LEVELS)})")
    return level


def resolve_policy_config(info: PackInfo, user_config: Mapping[str, Any]) -> dict[str, ResolvedPolicyConfig]:
    """What the engine sends to Configure: each policy's level and schema defaults, then the pack's initial
    config, then the user's (`all` sets every level first, then each policy's own entry), validated against
    each policy's schema.

    An entry naming no policy of the pack, or a key its schema does not list, is an error listing what is
    allowed. The engine itself lets both through (pulumi/pulumi pkg/resource/analyzer/config.go: applyConfig
    keeps unknown names, convertSchema sets no additionalProperties); this pack's Configure refuses them, so a
    real `pulumi preview` stops too (policies/genai_policies/_config.py)."""
    parsed = parse_policy_config(user_config)
    _check_names(info, parsed)
    result = {
        policy.name: ResolvedPolicyConfig(policy.enforcement_level, _defaults(policy.config_schema))
        for policy in info.policies
    }
    initial = {name: (c.enforcement_level, c.properties) for name, c in info.initial_config.items()}
    for layer in (initial, parsed):
        result = _apply(result, layer)
    if parsed or any(policy.required for policy in info.policies):
        _validate(info, result)  # defaults alone are the pack's own, valid by its schema
    return result


def _check_names(info: PackInfo, parsed: Mapping[str, tuple[str | None, dict[str, Any]]]) -> None:
    schemas = {policy.name: set(policy.config_schema) for policy in info.policies}
    problems = []
    for name, (_, properties) in parsed.items():
        if name == "all":
            if properties:
                problems.append(f"all: sets only the enforcement level; unknown keys {', '.join(sorted(properties))}")
        elif name not in schemas:
            problems.append(
                f"{name}: no policy of this pack has this name; policies: {', '.join(sorted(schemas))} (or all)"
            )
        elif extra := sorted(set(properties) - schemas[name]):
            allowed = ", ".join(sorted(schemas[name] | {"enforcementLevel"}))
            problems.append(
                f"{name}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(extra)}; allowed: {allowed}"
            )
    if problems:
        raise PolicyConfigError("invalid policy config:\n" + _problem_lines(problems))


_MAX_PROBLEMS_SHOWN = 20


def _problem_lines(problems: Sequence[str]) -> str:
    """At most _MAX_PROBLEMS_SHOWN lines, then a count of the rest."""
    lines = [f"  - {problem}" for problem in problems[:_MAX_PROBLEMS_SHOWN]]
    if len(problems) > _MAX_PROBLEMS_SHOWN:
        rest = len(problems) - _MAX_PROBLEMS_SHOWN
        lines.append(f"  ... and {rest:,} more problem{'s' if rest > 1 else ''} (fix these first)")
    return "\n".join(lines)


def _defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {key: prop["default"] for key, prop in schema.items() if isinstance(prop, Mapping) and "default" in prop}


def _apply(
    result: dict[str, ResolvedPolicyConfig], layer: Mapping[str, tuple[str | None, dict[str, Any]]]
) -> dict[str, ResolvedPolicyConfig]:
    applied = dict(result)
    everything = layer.get("all")
    if everything is not None and everything[0] is not None:
        applied = {name: ResolvedPolicyConfig(everything[0], c.properties) for name, c in applied.items()}
    for name, (level, properties) in layer.items():
        if name == "all" or name not in applied:
            continue
        current = applied[name]
        applied[name] = ResolvedPolicyConfig(level or current.enforcement_level, {**current.properties, **properties})
    return applied


def _validate(info: PackInfo, config: Mapping[str, ResolvedPolicyConfig]) -> None:
    from jsonschema import Draft7Validator  # only when there is user config to check: it costs 0.1 s to import

    problems: list[str] = []
    for policy in info.policies:
        schema: dict[str, Any] = {"type": "object", "properties": policy.config_schema}
        if policy.required:
            schema["required"] = list(policy.required)
        validator = Draft7Validator(schema)
        for error in sorted(validator.iter_errors(config[policy.name].properties), key=lambda e: list(e.path)):
            where = ".".join(str(part) for part in error.path)
            problems.append(f"{policy.name}: {where + ': ' if where else ''}{error.message}")
    if problems:
        raise PolicyConfigError("invalid policy config:\n" + _problem_lines(problems))
