"""What a served model's Kubernetes objects say about how vLLM runs it, read the way the cluster builds the pod.

One reading for the program (discover) and the pack (stack rules). Every fact is None (or empty) when the
objects do not say, with the reason in `unknowns`; a caller decides what an unknown means.

InferenceService (red-hat-data-services/kserve, branch rhoai-3.0):
- `pkg/controller/v1beta1/inferenceservice/components/predictor.go` `buildPodSpec`: with `spec.predictor.model`,
  the vLLM container is the ServingRuntime's `kserve-container` merged with the model (`utils.go`
  `MergeRuntimeContainers`: a strategic merge, except that args are the runtime's followed by the
  InferenceService's); then `ReplacePlaceholders` fills Go-template fields such as `{{.Name}}` from the
  InferenceService's metadata. The runtime's other containers and `spec.predictor.containers` join the pod.
  Without `model`, the `kserve-container` of `spec.predictor.containers` is the server
  (`pkg/apis/serving/v1beta1/predictor_custom.go`).
- `utils.go` `GetServingRuntime`: the ServingRuntime of the InferenceService's namespace named by
  `spec.predictor.model.runtime` (ODH has no ClusterServingRuntimes).
- When that ServingRuntime is not known, its args are taken to be those of the RHOAI vLLM runtime template
  (red-hat-data-services/odh-model-controller, rhoai-3.0, `config/runtimes/vllm-cuda-template.yaml`):
  `--port=8080 --model=/mnt/models --served-model-name={{.Name}}`.
- Kubernetes then expands `$(VAR)` in command and args from the container's env
  (kubernetes/kubernetes `third_party/forked/golang/expansion/expand.go`); a var set through `valueFrom` or
  `envFrom` is not known before the pod runs.

LLMInferenceService (kserve rhoai-3.0, `config/llmisvc/config-llm-template.yaml`, and the decode / worker
templates alike): the `main` container runs `/bin/bash -c` with `eval "vllm serve /mnt/models
--served-model-name "{{ .Spec.Model.Name }}" --port 8000 ... ${VLLM_ADDITIONAL_ARGS} ..."`, so
`VLLM_ADDITIONAL_ARGS` from the container env is parsed by the shell (quotes count, words split at blanks);
`spec.model.name` defaults to the object's name (`pkg/apis/serving/v1alpha1/llm_inference_service_defaults.go`).
A `main` container with its own command or args replaces the template's (`pkg/controller/llmisvc/config_merge.go`,
a strategic merge of the template and the object's spec).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from genai_contract import names
from genai_contract.vllm_args import ServeArgs, parse_serve_args
from genai_contract.wire import as_list, as_map, get, to_int

# KServe's default when an InferenceService does not set spec.predictor.minReplicas (LLMInferenceService: replicas).
DEFAULT_MIN_REPLICAS: Final = 1
# The RHOAI vLLM ServingRuntime template's kserve-container (see the module docstring).
TEMPLATE_RUNTIME_CONTAINER: Final[Mapping[str, Any]] = {
    "name": names.INFERENCE_SERVICE_CONTAINER,
    "command": ["python", "-m", "vllm.entrypoints.openai.api_server"],
    "args": [f"--port={names.VLLM_RUNTIME_PORT}", "--model=/mnt/models", "--served-model-name={{.Name}}"],
}
# The llm-d template's command line around VLLM_ADDITIONAL_ARGS; {name} is spec.model.name.
LLM_TEMPLATE_COMMAND: Final = (
    "vllm serve /mnt/models --served-model-name {name} --port 8000 --disable-log-requests {additional} "
    "--enable-ssl-refresh --ssl-certfile /var/run/kserve/tls/tls.crt --ssl-keyfile /var/run/kserve/tls/tls.key"
)
ADDITIONAL_ARGS_ENV: Final = "VLLM_ADDITIONAL_ARGS"
_PLACEHOLDER: Final = re.compile(r"\{\{-?\s*(?P<path>[^{}]*?)\s*-?\}\}")
# Outside quotes these expand, substitute or redirect: bash's result is not known here.
_UNQUOTED_SPECIAL: Final = frozenset("$`;&|<>(){}*?[]")


@dataclass(frozen=True)
class ServingFacts:
    max_model_len: int | None = None
    max_model_len_flag: str | None = None  # the flag's text as written (16k), for messages
    served_names: tuple[str, ...] = ()  # every name vLLM answers to, the reported one first; () when unknown
    served_names_from: str = ""  # where the names come from, for messages
    min_replicas: int | None = None
    gpus: int | None = None
    runtime: str | None = None  # spec.predictor.model.runtime
    runtime_assumed: bool = False  # the ServingRuntime was not given: the RHOAI vLLM template's args were used
    auth: bool = False  # security.opendatahub.io/enable-auth: "true": reached through the auth proxy only
    problems: tuple[str, ...] = ()  # flags vLLM refuses: the server does not start
    unknowns: tuple[str, ...] = ()  # why a fact cannot be read before the pod runs


# ------------------------------------------------------------------------------------------ InferenceService


def inference_service_facts(isvc: Mapping[str, Any], runtime: Mapping[str, Any] | None = None) -> ServingFacts:
    """An InferenceService's predictor; `runtime` is the ServingRuntime its model names, when known."""
    metadata = as_map(isvc.get("metadata"))
    predictor = as_map(get(isvc, "spec", "predictor"))
    model = predictor.get("model")
    server: Mapping[str, Any] | None
    if isinstance(model, Mapping):
        runtime_containers = [as_map(c) for c in as_list(get(runtime, "spec", "containers"))] if runtime else []
        runtime_server = next(
            (c for c in runtime_containers if c.get("name") == names.INFERENCE_SERVICE_CONTAINER),
            None if runtime else TEMPLATE_RUNTIME_CONTAINER,
        )
        server = merge_runtime_container(runtime_server, model) if runtime_server is not None else None
        sidecars = [c for c in runtime_containers if c.get("name") != names.INFERENCE_SERVICE_CONTAINER]
    else:
        custom = [as_map(c) for c in as_list(predictor.get("containers"))]
        server = next((c for c in custom if c.get("name") == names.INFERENCE_SERVICE_CONTAINER), None)
        server = server if server is not None else next(iter(custom), None)
        sidecars = []
    extra = [as_map(c) for c in as_list(predictor.get("containers"))] if isinstance(model, Mapping) else []
    pod = [c for c in [server, *sidecars, *extra] if c is not None]
    placeholders = {"Name": str(metadata.get("name") or ""), "Namespace": str(metadata.get("namespace") or "")}
    reading = _read_container(server, placeholders, f"the {names.INFERENCE_SERVICE_CONTAINER} container")
    runtime_name = as_map(model).get("runtime") if isinstance(model, Mapping) else None
    return reading.facts(
        min_replicas=_replicas(predictor.get("minReplicas")),
        gpus=_gpu_total(pod),
        runtime=str(runtime_name) if runtime_name else None,
        runtime_assumed=isinstance(model, Mapping) and runtime is None,
        auth=_auth(metadata),
    )


def merge_runtime_container(runtime: Mapping[str, Any], isvc: Mapping[str, Any]) -> dict[str, Any]:
    """KServe's MergeRuntimeContainers, for the fields that shape the command line and the GPUs.

    Strategic merge: the InferenceService's command replaces the runtime's, env merges by name (its entry wins),
    resource maps merge by key; args are concatenated, the runtime's first.
    """
    merged = dict(runtime)
    if isvc.get("command") is not None:
        merged["command"] = isvc["command"]
    merged["args"] = [*as_list(runtime.get("args")), *as_list(isvc.get("args"))]
    env = {str(as_map(e).get("name")): e for e in as_list(runtime.get("env"))}
    env.update({str(as_map(e).get("name")): e for e in as_list(isvc.get("env"))})
    merged["env"] = list(env.values())
    merged["envFrom"] = [*as_list(runtime.get("envFrom")), *as_list(isvc.get("envFrom"))]
    resources = {}
    for section in ("limits", "requests"):
        values = {**as_map(get(runtime, "resources", section)), **as_map(get(isvc, "resources", section))}
        if values:
            resources[section] = values
    merged["resources"] = resources
    return merged


# --------------------------------------------------------------------------------------- LLMInferenceService


def llm_inference_service_facts(llmisvc: Mapping[str, Any]) -> ServingFacts:
    """An llm-d LLMInferenceService: its `main` container on the llm-d template's command line."""
    metadata = as_map(llmisvc.get("metadata"))
    spec = as_map(llmisvc.get("spec"))
    containers = [as_map(c) for c in as_list(get(spec, "template", "containers"))]
    main = next((c for c in containers if c.get("name") == names.LLM_ISVC_MAIN_CONTAINER), None)
    model_name = str(get(spec, "model", "name") or metadata.get("name") or "")
    placeholders = {
        "Name": str(metadata.get("name") or ""),
        "Namespace": str(metadata.get("namespace") or ""),
        "ObjectMeta.Name": str(metadata.get("name") or ""),
        "ObjectMeta.Namespace": str(metadata.get("namespace") or ""),
        "Spec.Model.Name": model_name,
    }
    if main is not None and (main.get("command") is not None or main.get("args") is not None):
        reading = _read_container(main, placeholders, "the main container")
    else:
        reading = _read_template(main or {}, model_name, placeholders)
    return reading.facts(
        min_replicas=_replicas(spec.get("replicas")),
        gpus=_gpu_total(containers),
        runtime=None,
        runtime_assumed=False,
        auth=False,
    )


def _read_template(main: Mapping[str, Any], model_name: str, placeholders: Mapping[str, str]) -> _Reading:
    additional = container_env(main, placeholders).lookup(ADDITIONAL_ARGS_ENV)
    if additional is NOT_KNOWN:
        return _Reading(unknowns=(f"{ADDITIONAL_ARGS_ENV} is set through valueFrom or envFrom",))
    command = LLM_TEMPLATE_COMMAND.format(name=model_name, additional=additional or "")
    argv = shell_words(command)
    if argv is None:
        return _Reading(unknowns=(f"{ADDITIONAL_ARGS_ENV} is shell code, not plain words: {additional!r}",))
    return _Reading(args=parse_serve_args(argv), where=f"{ADDITIONAL_ARGS_ENV} of the main container")


# ------------------------------------------------------------------------------------------- the container


@dataclass(frozen=True)
class _Reading:
    """A server's command line as read, or why it cannot be read."""

    args: ServeArgs | None = None
    where: str = ""
    unknowns: tuple[str, ...] = ()

    def facts(
        self, *, min_replicas: int | None, gpus: int | None, runtime: str | None, runtime_assumed: bool, auth: bool
    ) -> ServingFacts:
        if self.args is None:
            return ServingFacts(
                min_replicas=min_replicas,
                gpus=gpus,
                runtime=runtime,
                runtime_assumed=runtime_assumed,
                auth=auth,
                unknowns=self.unknowns,
            )
        length, error = self.args.context_length()
        from_file = self.args.config_file is not None
        unknowns = [*self.unknowns]
        if from_file:
            unknowns.append(f"--config {self.args.config_file}: flags not on the command line come from that file")
        served = self.args.served_names() or ()
        return ServingFacts(
            max_model_len=length,
            max_model_len_flag=self.args.max_model_len if length is not None else None,
            # A name from --model may be overridden by the file; an explicit --served-model-name is not.
            served_names=served if not from_file or self.args.served_model_names else (),
            served_names_from=_served_from(self.args, self.where),
            min_replicas=min_replicas,
            gpus=gpus,
            runtime=runtime,
            runtime_assumed=runtime_assumed,
            auth=auth,
            problems=(*self.args.errors, *([error] if error else [])),
            unknowns=tuple(unknowns),
        )


def _served_from(args: ServeArgs, where: str) -> str:
    if args.served_model_names:
        return f"--served-model-name of {where}"
    return f"--model of {where} (no --served-model-name)" if args.model else ""


def _read_container(container: Mapping[str, Any] | None, placeholders: Mapping[str, str], where: str) -> _Reading:
    if container is None:
        return _Reading(unknowns=(f"no {names.INFERENCE_SERVICE_CONTAINER} container to read",))
    env = container_env(container, placeholders)
    argv: list[str] = []
    for raw in [*as_list(container.get("command")), *as_list(container.get("args"))]:
        text = fill_placeholders(str(raw), placeholders)
        if text is None:
            return _Reading(unknowns=(f"{where} has a template placeholder this reading does not know: {raw}",))
        expanded = expand_references(text, env.lookup)
        if expanded is None:
            return _Reading(unknowns=(f"{where} passes {raw}, from an env var set through valueFrom or envFrom",))
        argv.append(expanded)
    return _Reading(args=parse_serve_args(argv), where=where)


class _NotKnown:
    """The value of an env var set through valueFrom (a Secret or ConfigMap key, a field) or envFrom."""

    def __repr__(self) -> str:
        return "NOT_KNOWN"


NOT_KNOWN: Final = _NotKnown()
EnvValue = str | _NotKnown


@dataclass(frozen=True)
class ContainerEnv:
    """A container's env vars; with envFrom, a name it does not list may still be set (to something unknown)."""

    values: Mapping[str, EnvValue] = field(default_factory=dict)
    has_env_from: bool = False

    def lookup(self, name: str) -> EnvValue | None:
        if name in self.values:
            return self.values[name]
        return NOT_KNOWN if self.has_env_from else None


def container_env(container: Mapping[str, Any], placeholders: Mapping[str, str] | None = None) -> ContainerEnv:
    """Each value's `$(VAR)` expanded from the entries before it, as the kubelet does."""
    env = ContainerEnv({}, bool(as_list(container.get("envFrom"))))
    values: dict[str, EnvValue] = {}
    for entry in map(as_map, as_list(container.get("env"))):
        name = str(entry.get("name") or "")
        text = fill_placeholders(str(entry.get("value") or ""), placeholders or {})
        expanded = expand_references(text, ContainerEnv(values, env.has_env_from).lookup) if text is not None else None
        values[name] = NOT_KNOWN if entry.get("valueFrom") is not None or expanded is None else expanded
    return ContainerEnv(values, env.has_env_from)


def expand_references(text: str, lookup: Callable[[str], EnvValue | None]) -> str | None:
    """Kubernetes' `$(VAR)` expansion: `$$` is `$`, an undefined reference stays as written; None when a
    referenced var is not known before the pod runs."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 == len(text):
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        close = text.find(")", index + 2) if following == "(" else -1
        if following == "$":
            out.append("$")
            index += 2
        elif close != -1:
            name = text[index + 2 : close]
            value = lookup(name)
            if isinstance(value, _NotKnown):
                return None
            out.append(value if value is not None else f"$({name})")
            index = close + 1
        else:
            out.append("$" + following)
            index += 2
    return "".join(out)


def fill_placeholders(text: str, values: Mapping[str, str]) -> str | None:
    """Go-template fields such as `{{.Name}}` or `{{ .Spec.Model.Name }}`; None for one we do not know."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        path = match.group("path").strip()
        if path.startswith(".") and path[1:] in values:
            return values[path[1:]]
        unknown = True
        return ""

    filled = _PLACEHOLDER.sub(replace, text)
    return None if unknown or "{{" in filled else filled


def shell_words(text: str) -> list[str] | None:
    """The words bash makes of a command line: quotes and backslashes as bash reads them, blanks split words.

    None for anything whose result is not known before the pod runs or that is no plain command: expansions
    (`$`, backticks, `~`, globs, braces), operators (`;`, `|`, `&`, redirections), comments, unclosed quotes.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    index = 0
    while index < len(text):
        char = text[index]
        if char in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        elif char == "'":
            close = text.find("'", index + 1)
            if close == -1:
                return None
            word.append(text[index + 1 : close])
            in_word, index = True, close
        elif char == '"':
            quoted = _double_quoted(text, index + 1)
            if quoted is None:
                return None
            content, index = quoted
            word.append(content)
            in_word = True
        elif char == "\\":
            if index + 1 == len(text):
                return None
            if text[index + 1] != "\n":  # backslash-newline joins lines
                word.append(text[index + 1])
                in_word = True
            index += 1
        elif char in _UNQUOTED_SPECIAL or (char in "~#" and not in_word):
            return None
        else:
            word.append(char)
            in_word = True
        index += 1
    if in_word:
        words.append("".join(word))
    return words


def _double_quoted(text: str, start: int) -> tuple[str, int] | None:
    """The content of a double-quoted string starting at `start`, and the index of its closing quote."""
    content: list[str] = []
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            return "".join(content), index
        if char in "$`":
            return None
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '$`"\\\n':
            if text[index + 1] != "\n":
                content.append(text[index + 1])
            index += 2
            continue
        content.append(char)
        index += 1
    return None


# ------------------------------------------------------------------------------------------------ helpers


def _auth(metadata: Mapping[str, Any]) -> bool:
    value = as_map(metadata.get("annotations")).get(names.ENABLE_AUTH_ANNOTATION)
    return isinstance(value, str) and value.lower() == "true"


def _gpu_total(containers: Sequence[Mapping[str, Any]]) -> int | None:
    """GPUs of one replica: every container's `*/gpu` limit (else request); None when one is unreadable."""
    total = 0
    for container in containers:
        resources = as_map(container.get("resources"))
        for section in ("limits", "requests"):
            gpu = next(
                (value for key, value in as_map(resources.get(section)).items() if str(key).endswith("/gpu")), None
            )
            if gpu is not None:
                count = to_int(gpu)
                if count is None:
                    return None
                total += count
                break
    return total


def _replicas(value: Any) -> int | None:
    """KServe's default when unset; None when set to something that is no number."""
    return DEFAULT_MIN_REPLICAS if value is None else to_int(value)
