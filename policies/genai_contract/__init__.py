"""The contract between the genai-playground program and its policy pack: one source of truth for both.

Standard library only. It ships inside the policy pack (`policies/`, published alone) and the program imports
it (installed from `policies/` by the program's requirements.txt), so the two can never read the same
InferenceService, env var or component differently:

- `names`: type tokens, labels, annotations, provider ids, env-var naming, KServe's Service names and ports;
- `vllm_args`: vLLM's command-line flags as the vLLM of RHOAI 3.0 parses them;
- `workloads`: what an InferenceService (with its ServingRuntime) or an LLMInferenceService says about how vLLM
  serves the model, read the way KServe and Kubernetes build the pod;
- `addresses`: which Service (and so which served model) a provider URL reaches;
- `endpoint_props`: the props a VllmModelEndpoint component publishes (what the pack reads of it).
"""
