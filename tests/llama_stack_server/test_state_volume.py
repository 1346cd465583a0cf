"""One state directory, two Llama Stack servers: what a shared ReadWriteOnce volume does to a playground.

The operator mounts the one PVC `<name>-pvc` (`playground.storageSize`) into every replica and, while a Deployment
rolls, into the old and the new pod at once (red-hat-data-services/llama-stack-k8s-operator, rhoai-3.0 … rhoai-3.4,
controllers/manifests/base/pvc.yaml: ReadWriteOnce; base/deployment.yaml sets no strategy, so RollingUpdate with
maxUnavailable 0 starts the new pod before it stops the old one; only rhoai-3.4's pkg/deploy/kustomizer.go switches
a Deployment with storage to Recreate). run.yaml keeps Milvus (inline::milvus, milvus-lite) in that directory, and
milvus-lite takes an exclusive lock on `.<db>.lock` beside its file before it starts its server (milvus-lite 2.5.1
milvus_lite/server.py, Server.start: fcntl.lockf LOCK_EX | LOCK_NB, "the file has been opened by another program").
This runs the real server twice on one directory, as two pods on one volume would be.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

from offline_preview import processes
from tests.conftest import model
from tests.llama_stack_server.conftest import FITS
from tests.llama_stack_server.playground import distribution_env, render
from tests.llama_stack_server.servers import free_port, server_env, wait_until_up
from tests.llama_stack_server.vllm_standin import serving

SECOND_START_SECONDS = 90


def start(venv: Path, run_yaml: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(venv / "bin" / "llama"), "stack", "run", str(run_yaml), "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/v1/health", timeout=2)
        return True
    except OSError:
        return False


def test_a_second_server_on_the_same_state_directory_never_starts(venv: Path, tmp_path: Path) -> None:
    with serving(FITS.served_model_name, FITS.context) as (_, url):
        config = {
            "namespace": "private-ai",
            "models": [model(FITS.name, url=url, contextLength=FITS.context, maxTokens=FITS.max_tokens)],
            "playground": {"rag": False},
        }
        _, objects = render(tmp_path, config)
        run_yaml = tmp_path / "run.yaml"
        run_yaml.write_text(objects["ConfigMap"]["data"]["run.yaml"])
        state = tmp_path / "volume"  # the PVC, mounted at SQLITE_STORE_DIR in both pods
        state.mkdir()
        env = server_env("3.0", state, distribution_env(objects["LlamaStackDistribution"]))
        old, old_url = start(venv, run_yaml, env, tmp_path / "old.log")
        new = None
        try:
            wait_until_up(old_url, old, tmp_path / "old.log")
            assert (state / "milvus.db").exists() and (state / ".milvus.db.lock").exists()
            # The new pod of a rolling update (or a second replica): same run.yaml, same directory.
            new, new_url = start(venv, run_yaml, env, tmp_path / "new.log")
            deadline = time.monotonic() + SECOND_START_SECONDS
            while new.poll() is None and time.monotonic() < deadline and not answers(new_url):
                time.sleep(0.5)
            log = (tmp_path / "new.log").read_text()
            assert new.poll() is not None, f"the second server started on a locked state directory:\n{log[-3000:]}"
            assert new.returncode != 0 and not answers(new_url)
            # pymilvus reports milvus-lite's refused lock as a failed open, at start-up (inline::milvus initialize).
            assert "Open local milvus failed" in log, log[-3000:]
            assert answers(old_url)  # the old pod keeps serving: the rollout never completes
            # Recreate: the old pod stops first, and the new one starts on the same files.
            processes.stop(old, grace_seconds=20)
            new, new_url = start(venv, run_yaml, env, tmp_path / "after.log")
            wait_until_up(new_url, new, tmp_path / "after.log")
        finally:
            processes.stop(old, grace_seconds=20)
            if new is not None:
                processes.stop(new, grace_seconds=20)
