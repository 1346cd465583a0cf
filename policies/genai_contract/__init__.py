"""The contract between the genai-playground program and its policy pack: one source of truth for both.

Standard library only. It ships inside the policy pack (`policies/`, published alone) and the program imports
it (installed from `policies/` by the program's requirements.txt), so the two can never read the same
InferenceService, env var or component differently:

- `names`: type tokens, labels, annotations, provider ids and env-var naming;
- `vllm_args`: vLLM's command-line flags as vLLM parses them;
- `workloads`: what an InferenceService (with its ServingRuntime) or an LLMInferenceService says about how vLLM
  serves the model;
- `endpoint_props`: the props a VllmModelEndpoint component publishes (what the pack reads of it).
"""
