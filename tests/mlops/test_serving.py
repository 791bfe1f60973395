"""`mlflow models serve -m models:/NAME@champion --env-manager local` answers /invocations."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import mlflow
import pandas as pd
import pytest

import tierkit as tk
from tierkit.mlops.pyfunc import log_segmentation_model, model_input

pytestmark = [pytest.mark.server, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise AssertionError(f"mlflow models serve exited with {proc.returncode}: " + " | ".join(tail))
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"mlflow models serve did not answer {url}/ping within {timeout:.0f} s")


def test_served_champion_answers_invocations_like_the_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a SQLite store puts artifacts in ./mlruns
    tracking = "sqlite:///" + str(tmp_path / "mlflow.db")
    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    mlflow.set_tracking_uri(tracking)
    try:
        with mlflow.start_run():
            log_segmentation_model(tk.Segmentation().fit(features), features, registered_model_name="tiers")
        mlflow.MlflowClient().set_registered_model_alias("tiers", "champion", "1")
        expected = mlflow.pyfunc.load_model("models:/tiers@champion").predict(model_input(features).head(25))
    finally:
        mlflow.set_tracking_uri(None)

    port = free_port()
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    # mlflow starts `uvicorn` by name: the environment's bin folder must be on PATH (as when activated).
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking,
           "PATH": str(mlflow_cli.parent) + os.pathsep + os.environ.get("PATH", "")}
    log = tmp_path / "serve.log"
    log_file = open(log, "w")
    proc = subprocess.Popen(
        [str(mlflow_cli), "models", "serve", "-m", "models:/tiers@champion", "--env-manager", "local",
         "-h", "127.0.0.1", "-p", str(port), "-w", "1"],
        cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, proc, log)
        body = json.dumps({"dataframe_split": model_input(features).head(25).to_dict(orient="split")}).encode()
        request = urllib.request.Request(url + "/invocations", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log_file.close()
    got = pd.DataFrame(answer["predictions"])
    assert len(got) == 25
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
