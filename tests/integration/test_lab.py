"""JupyterLab starts from the project's environment and offers the project's kernel.

The analyst's route into the suite is ``make lab``: JupyterLab from the same environment
as the batch, offering the ``sendready`` kernel so that "Run All" runs on the interpreter
that has the suite installed. The server runs hermetically: its config, runtime, data and
IPython folders, and the home folder, point at a temporary folder, so neither a user's own
Jupyter set-up nor leftovers of an earlier run can make the test pass. ``JUPYTER_PATH`` is
deliberately not set (docs/architecture.md, "Pitfalls"): the kernel must be found where
the environment installed it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from sendready.publish.kernel import KERNEL_NAME

ROOT = REPO_ROOT
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hermetic_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "IPYTHON", "XDG_", "JPY_"))
    }
    folders = {
        "HOME": "home",
        "TMPDIR": "tmp",
        "IPYTHONDIR": "ipython",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "MPLCONFIGDIR": "matplotlib",
        "XDG_CACHE_HOME": "cache",
        "XDG_CONFIG_HOME": "config",
        "XDG_DATA_HOME": "data",
    }
    for var, name in folders.items():
        (tmp / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / name)
    return env


def _get(url: str, token: str, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (localhost)
        return response.status, response.read()


def _wait_until_up(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"JupyterLab exited with {server.returncode}:\n"
                f"{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            status, _ = _get(f"{base}/api/status", token, timeout=2)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(
        f"JupyterLab did not answer within {STARTUP_SECONDS} s:\n"
        f"{log.read_text(errors='replace')[-3000:]}"
    )


def test_jupyterlab_starts_and_offers_the_sendready_kernel(tmp_path):
    env = _hermetic_env(tmp_path)
    port, token = _free_port(), "sendready-test-" + os.urandom(8).hex()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root without it
    log = tmp_path / "lab.log"
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        _wait_until_up(base, token, server, log)
        # The server really uses the temporary folders: its runtime file is there.
        assert list(Path(env["JUPYTER_RUNTIME_DIR"]).glob("jpserver-*.json"))

        status, body = _get(f"{base}/api/kernelspecs", token)
        specs = json.loads(body)
        assert status == 200
        assert KERNEL_NAME in specs["kernelspecs"], sorted(specs["kernelspecs"])
        spec = specs["kernelspecs"][KERNEL_NAME]["spec"]
        # The kernel runs this environment's interpreter, not some other python3.
        assert Path(spec["argv"][0]).parent == Path(sys.executable).parent
        assert spec["language"] == "python"

        # The notebooks are there and ask for that kernel by name.
        status, body = _get(f"{base}/api/contents/notebooks/10_weakness_report.ipynb", token)
        assert status == 200
        assert json.loads(body)["content"]["metadata"]["kernelspec"]["name"] == KERNEL_NAME

        # The lab interface itself is served, and refuses callers without the token.
        status, body = _get(f"{base}/lab", token)
        assert status == 200 and b"JupyterLab" in body
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/kernelspecs", timeout=5)  # noqa: S310
        assert refused.value.code == 403

        # Shut down through the API, as a user's "Shut Down" does, and wait for the exit.
        request = urllib.request.Request(
            f"{base}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"}
        )
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
