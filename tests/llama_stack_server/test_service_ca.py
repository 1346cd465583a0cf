"""A model behind its auth proxy, verified against OpenShift's service CA, on the real server.

The proxy's certificate is issued by the cluster's service CA (kserve rhoai-3.0 reconcilers/service/
service_reconciler.go: service.beta.openshift.io/serving-cert-secret-name), which no default trust store holds.
The program renders `tls_verify: <the file the operator mounts the distribution's CA bundle at>` for such a model
and the bundle `openshift-service-ca.crt` / `service-ca.crt` on the distribution. Here a test CA plays the service
CA: the harness does what the operator and cluster DNS do (that file is the test CA; the Service's name is
`localhost`), and the real server must talk to a stand-in whose certificate that CA signed, and refuse one signed by
another CA: its TLS handshake fails on the server's side with "unknown CA", before any request.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from genai_contract.releases import PROFILES

from offline_preview import processes
from tests.conftest import model
from tests.llama_stack_server.dashboard import Dashboard
from tests.llama_stack_server.playground import render
from tests.llama_stack_server.servers import free_port, server_env, wait_until_up
from tests.llama_stack_server.vllm_standin import StandIn, serving

CONTEXT = 4096
TOKEN = "sa-token-of-the-model"  # what the token Secret holds


@dataclass(frozen=True)
class Authority:
    cert: Path
    key: Path


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def authority(work: Path, name: str) -> Authority:
    key, cert = work / f"{name}.key", work / f"{name}.crt"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", f"/CN={name}")  # fmt: skip
    return Authority(cert, key)


def issued(work: Path, ca: Authority, name: str) -> ssl.SSLContext:
    """A serving certificate for `localhost`, signed by `ca`, as a server-side TLS context."""
    key, csr, cert, ext = (work / f"{name}.{suffix}" for suffix in ("key", "csr", "crt", "ext"))
    ext.write_text("subjectAltName=DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca.cert), "-CAkey", str(ca.key), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Served:
    url: str
    stand_ins: dict[str, StandIn]
    stand_in_urls: dict[str, str]
    rendered: dict[str, dict[str, object]]
    log: Path
    venv: Path
    service_ca: Path


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("service-ca")
    service_ca = authority(work, "service-ca")  # the cluster's service CA
    other_ca = authority(work, "other-ca")
    with ExitStack() as stack:
        trusted, trusted_url = stack.enter_context(serving("secured", CONTEXT, issued(work, service_ca, "proxy")))
        impostor, impostor_url = stack.enter_context(serving("impostor", CONTEXT, issued(work, other_ca, "other")))
        secret = {"name": "model-token"}
        models = [model(name, authProxy=True, apiTokenSecret=secret, contextLength=CONTEXT, maxTokens=1024)
                  for name in ("secured", "impostor")]  # fmt: skip
        _, objects = render(work, {"release": "3.0", "namespace": "private-ai", "models": models})
        text = objects["ConfigMap"]["data"]["run.yaml"]
        assert isinstance(text, str)
        # Cluster DNS and the operator's mount, done by hand: the Service's name, and the bundle file.
        bundle = PROFILES["3.0"].ca_bundle_file
        for name, url in (("secured", trusted_url), ("impostor", impostor_url)):
            text = text.replace(f"https://{name}-predictor.private-ai.svc.cluster.local:8443/v1", url)
        text = text.replace(bundle, str(service_ca.cert))
        (work / "run.yaml").write_text(text)
        env = {
            var["name"]: var.get("value", TOKEN)
            for var in objects["LlamaStackDistribution"]["spec"]["server"]["containerSpec"]["env"]
        }  # type: ignore[index]
        env["SQLITE_STORE_DIR"] = str(work)
        port = free_port()
        log = work / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(venv / "bin" / "llama"), "stack", "run", str(work / "run.yaml"), "--port", str(port)],
                env=server_env("3.0", work, env),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, process, log)
            yield Served(
                url,
                {"secured": trusted, "impostor": impostor},
                {"secured": trusted_url, "impostor": impostor_url},
                objects,  # type: ignore[arg-type]
                log,
                venv,
                service_ca.cert,
            )
        finally:
            processes.stop(process, grace_seconds=20)


def test_the_rendered_config_trusts_the_service_ca_through_the_distribution(served: Served) -> None:
    run_yaml = yaml.safe_load(served.rendered["ConfigMap"]["data"]["run.yaml"])  # type: ignore[index]
    verify = {p["provider_id"]: p["config"]["tls_verify"] for p in run_yaml["providers"]["inference"]
              if p["provider_type"] == "remote::vllm"}  # fmt: skip
    assert verify == {"vllm-secured": "/etc/ssl/certs/ca-bundle.crt", "vllm-impostor": "/etc/ssl/certs/ca-bundle.crt"}
    server = served.rendered["LlamaStackDistribution"]["spec"]["server"]  # type: ignore[index]
    assert server["tlsConfig"] == {  # type: ignore[index]
        "caBundle": {"configMapName": "openshift-service-ca.crt", "configMapKeys": ["service-ca.crt"]}
    }


def test_a_proxy_certificate_of_the_service_ca_is_verified_and_answers(served: Served) -> None:
    dashboard = Dashboard(served.url)
    reply = dashboard.respond(dashboard.response_body("vllm-secured/secured", "hello over TLS"))
    assert reply.status == 200, reply.body
    assert served.stand_ins["secured"].requests, "the chat never reached the stand-in"
    assert served.stand_ins["secured"].authorizations[-1] == f"Bearer {TOKEN}"


def test_a_certificate_of_another_ca_is_refused(served: Served) -> None:
    dashboard = Dashboard(served.url)
    reply = dashboard.respond(dashboard.response_body("vllm-impostor/impostor", "hello over TLS"))
    assert reply.status != 200
    assert not served.stand_ins["impostor"].requests  # the TLS handshake failed before any request
    # The server, as the TLS client, refused the certificate: the alert it sent names an unknown CA.
    # The server, as the TLS client, aborted every handshake with it; the trusted stand-in saw none.
    assert served.stand_ins["impostor"].tls_errors and not served.stand_ins["secured"].tls_errors
    assert "Connection error" in served.log.read_text()  # what the server logs of it (openai's APIConnectionError)
    # Why: the adapter's client is httpx.AsyncClient(verify=<tls_verify>) (llama_stack/providers/remote/inference/
    # vllm/vllm.py get_extra_client_params); the same call in the server's virtualenv names the reason.
    probe = (
        "import httpx, sys\ntry:\n    httpx.get(sys.argv[1], verify=sys.argv[2])\n"
        "except httpx.ConnectError as e:\n    print(e)"
    )
    for name, expected in (("impostor", "certificate verify failed"), ("secured", "")):
        models_url = served.stand_in_urls[name] + "/models"
        found = subprocess.run(
            [str(served.venv / "bin" / "python"), "-c", probe, models_url, str(served.service_ca)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert (expected in found.lower()) if expected else found == "", (name, found)
