"""`mlflow models serve -m models:/NAME@champion --env-manager local` answers /invocations.

A real server on 127.0.0.1 (free port) serves the registered model; its answers are parsed by
a strict JSON parser (``NaN`` or ``Infinity`` fail the test) and compared with
``Segmentation.transform`` run here, and with ``load_model`` in a fresh process. Bad rows and
requests beyond the model's limits are answered 400 with tierkit's one line.
"""

import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from test_pyfunc import full_segmentation, same_tiers

import tierkit as tk
from mlflow_server import free_port, running
from tierkit.mlops.pyfunc import log_segmentation_model, model_input

pytestmark = [pytest.mark.server, pytest.mark.slow]

AS_OF = "1998-06-30"
URI = "models:/tiers@champion"
#: The served model's row limit, set where it is served (the default, 100,000, is tested in test_pyfunc).
SERVED_MAX_ROWS = 1000


def strict_json(text: str):
    """``json.loads`` that refuses the ``NaN``, ``Infinity`` and ``-Infinity`` of Python's encoder."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant} in the response")

    return json.loads(text, parse_constant=refuse)


@contextlib.contextmanager
def chdir(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The full segmentation logged, registered as ``tiers@champion`` and served; yields what the tests need.

    Served with at most :data:`SERVED_MAX_ROWS` rows per request, set as the serving docs say:
    ``MLFLOW_PYFUNC_INFERENCE_CONFIG`` in the environment of ``mlflow models serve``.
    """
    root = tmp_path_factory.mktemp("serving")
    tracking = "sqlite:///" + str(root / "mlflow.db")
    tx = tk.load_cdnow(sample=True)
    features = tk.rfm_features(tx, as_of=AS_OF)
    segmentation = full_segmentation().fit(features)
    with chdir(root):  # a SQLite store puts artifacts in ./mlruns
        mlflow.set_tracking_uri(tracking)
        try:
            with mlflow.start_run():
                log_segmentation_model(segmentation, features, registered_model_name="tiers",
                                       horizon=segmentation.named_step("clv").horizon)
            mlflow.MlflowClient().set_registered_model_alias("tiers", "champion", "1")
        finally:
            mlflow.set_tracking_uri(None)
    table = segmentation.transform(features)
    expected = table[[c for c in table.columns if c not in features.columns]].reset_index()

    port = free_port()
    bin_dir = Path(sys.executable).parent
    # mlflow starts `uvicorn` by name: the environment's bin folder must be on PATH (as when activated).
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking,
           "PATH": str(bin_dir) + os.pathsep + os.environ.get("PATH", ""),
           "MLFLOW_PYFUNC_INFERENCE_CONFIG": json.dumps({"max_rows": SERVED_MAX_ROWS})}
    argv = [str(bin_dir / "mlflow"), "models", "serve", "-m", URI, "--env-manager", "local",
            "-h", "127.0.0.1", "-p", str(port), "-w", "1"]
    with chdir(root), running(argv, f"http://127.0.0.1:{port}/ping", root / "serve.log", env=env, timeout=120):
        yield {"url": f"http://127.0.0.1:{port}/invocations", "tx": tx, "features": features, "expected": expected,
               "tracking": tracking, "root": root}


def invoke(url: str, payload: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def predictions(url: str, payload: dict) -> pd.DataFrame:
    status, text = invoke(url, payload)
    assert status == 200, text[:500]
    return pd.DataFrame(strict_json(text)["predictions"])


def test_rest_answer_is_strict_json_and_equals_transform(served):
    features, expected = served["features"], served["expected"]
    head = features.head(60)
    # JSON numbers as the caller has them: frequency an integer, the rest floats.
    records = head.reset_index()[["customer_id", *model_input(head).columns[1:]]].to_dict(orient="records")
    assert isinstance(records[0]["frequency"], int)
    got = predictions(served["url"], {"dataframe_records": records})
    assert got["cs_index"].isna().all()  # null in the JSON: no survey, every customer unrated
    same_tiers(got, expected.head(60))


def test_rest_takes_integer_ids_and_integer_numbers(served):
    features, expected = served["features"], served["expected"]
    frame = model_input(features.head(30))
    frame["customer_id"] = frame["customer_id"].astype("int64")
    for column in ("recency", "frequency", "tenure", "frequency_btyd", "recency_btyd", "T"):
        frame[column] = frame[column].astype("int64")
    body = json.loads(frame.to_json(orient="split", index=False))
    assert body["data"][0][:3] == [4, 200, 4]
    got = predictions(served["url"], {"dataframe_split": body})
    renamed = expected.head(30).assign(customer_id=lambda t: t["customer_id"].astype("int64").astype("str"))
    same_tiers(got, renamed)


def test_rest_transactions_with_as_of_and_labels(served):
    tx, expected = served["tx"], served["expected"]
    customers = tx["customer_id"].unique()[:25]
    raw = tx.loc[tx["customer_id"].isin(customers), ["customer_id", "date", "amount"]]
    body = {"dataframe_split": json.loads(raw.to_json(orient="split", index=False, date_format="iso")),
            "params": {"input": "transactions", "as_of": AS_OF, "lang": "zh"}}
    got = predictions(served["url"], body)
    same_tiers(got, tk.add_labels(expected[expected["customer_id"].isin(customers)], "zh"))
    assert got["abc_tier_label"].iloc[0] == "普通客户"


def test_rest_refuses_bad_input_with_the_reason(served):
    status, text = invoke(served["url"], {"dataframe_records": [{"customer_id": "1", "date": "1997-13-45",
                                                                 "amount": 3}],
                                          "params": {"input": "transactions", "as_of": AS_OF}})
    # tierkit's one-line reason is the answer's message, not only a line of a stack trace
    assert status == 400 and "1997-13-45" in json.loads(text)["message"].split("Error: ", 1)[1]
    assert json.loads(text)["error_code"] == "INVALID_PARAMETER_VALUE"
    status, text = invoke(served["url"], {"dataframe_records": [{"customer_id": "1", "date": "1997-01-05",
                                                                 "amount": 3}],
                                          "params": {"input": "transactions"}})
    assert status == 400 and json.loads(text)["message"].endswith(  # MLflow adds the input before the reason
        "Error: params: as_of is required with input='transactions' (e.g. '2024-01-31')")


def refusal(url: str, payload: dict) -> str:
    """tierkit's line in a 400 answer (MLflow puts the input before it), checked to be one line."""
    status, text = invoke(url, payload)
    answer = json.loads(text)
    assert status == 400 and answer["error_code"] == "INVALID_PARAMETER_VALUE", text[:500]
    line = answer["message"].split("\nError: ", 1)[1]
    assert "\n" not in line
    return line


def test_rest_refuses_bad_rows_and_abusive_requests_with_one_line(served):
    url, features = served["url"], served["features"]
    frame = model_input(features.head(3))
    for column in ("recency", "frequency", "tenure", "frequency_btyd", "recency_btyd", "T"):
        frame[column] = frame[column].astype("int64")  # whole days, as a caller writes them
    good = frame.to_dict(orient="records")

    def with_value(row: int, column: str, value) -> dict:
        records = [dict(r) for r in good]
        records[row][column] = value
        return {"dataframe_records": records}

    # Each of these was graded without a word.
    assert refusal(url, with_value(1, "frequency", 0)) == (
        "model input: column 'frequency', row 1: value 0; expected a whole number >= 1 (purchase occasions)")
    assert refusal(url, with_value(1, "frequency", 2.5)) == (
        "model input: column 'frequency', row 1: value 2.5; expected a whole number >= 1 (purchase occasions)")
    assert refusal(url, with_value(2, "frequency", True)) == (
        "model input: column 'frequency', row 2: value True; expected a whole number >= 1 (purchase occasions)")
    assert refusal(url, with_value(2, "recency", -5)) == (
        "model input: column 'recency', row 2: value -5; expected a number >= 0 (time since the last purchase day)")
    assert refusal(url, with_value(0, "recency_btyd", 600)) == (
        "model input: column 'recency_btyd', row 0: value 600; expected at most T (545)")
    # These were answered 504 after 60 s while the worker kept computing.
    assert refusal(url, {"dataframe_records": good, "params": {"horizon": "99999999W"}}) == (
        "params: horizon '99999999W' is 699,999,993 days; the model predicts at most 3,653 days ahead "
        "(model_config max_horizon_days), e.g. '365D' or '52W'")
    rows = json.loads(model_input(features.head(SERVED_MAX_ROWS + 1)).to_json(orient="split", index=False))
    assert refusal(url, {"dataframe_split": rows}) == (
        f"model input: {SERVED_MAX_ROWS + 1:,} rows; the model takes at most {SERVED_MAX_ROWS:,} rows per call "
        "(model_config max_rows): send the customers in batches")
    # The server still answers the good rows, at the longest horizon allowed.
    got = predictions(url, {"dataframe_records": good, "params": {"horizon": "3653D"}})
    assert got["customer_id"].tolist() == frame["customer_id"].tolist()


FRESH = """
import sys, pandas as pd, mlflow
model = mlflow.pyfunc.load_model(sys.argv[1])
import tierkit
assert "/code/tierkit" in tierkit.__file__.replace("\\\\", "/"), tierkit.__file__  # the model's own copy
model.predict(pd.read_parquet(sys.argv[2])).to_parquet(sys.argv[3])
"""


def test_fresh_process_load_model_equals_transform(served, tmp_path):
    features, expected = served["features"], served["expected"]
    features.reset_index().drop(columns=["first_purchase", "last_purchase"]).to_parquet(tmp_path / "in.parquet")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # tierkit only from the model
    env["MLFLOW_TRACKING_URI"] = served["tracking"]
    argv = [sys.executable, "-c", FRESH, URI, str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet")]
    done = subprocess.run(argv, cwd=served["root"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    same_tiers(pd.read_parquet(tmp_path / "out.parquet"), expected)


@pytest.fixture(scope="module")
def bounded(served):
    """The same registered model served by ``tierkit serve`` with a 1 MB body limit."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "MLFLOW_TRACKING_URI": served["tracking"]}
    argv = [str(bin_dir / "tierkit"), "serve", URI, "--host", "127.0.0.1", "--port", str(port), "--max-body", "1MB"]
    with chdir(served["root"]), running(argv, f"http://127.0.0.1:{port}/ping", served["root"] / "bounded.log",
                                        env=env, timeout=120):
        yield f"127.0.0.1:{port}"


def test_tierkit_serve_answers_as_mlflow_does(served, bounded):
    head = served["features"].head(20)
    records = head.reset_index()[["customer_id", *model_input(head).columns[1:]]].to_dict(orient="records")
    payload = {"dataframe_records": records}
    assert predictions(f"http://{bounded}/invocations", payload).equals(predictions(served["url"], payload))


def test_tierkit_serve_refuses_an_oversized_body_unread(bounded):
    """A 1,000,000-row request (62 MB) is refused from its declared length: the body is never read.

    With ``mlflow models serve`` the same request is parsed for about a minute before the model's
    row limit can refuse it (MLflow reads every body whole).
    """
    import http.client

    host, port = bounded.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/invocations")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(62_000_000))
    connection.endheaders()
    connection.send(b'{"dataframe_split": {"columns": ["customer_id"], "data": [')  # and no more
    response = connection.getresponse()
    body = strict_json(response.read().decode())
    assert response.status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert body["message"] == ("request body: 62,000,000 bytes is over the limit of 1,000,000 bytes; send fewer "
                               "rows per request (tierkit serve --max-body raises the limit)")
    connection.close()
    # a streamed body with no declared length is cut off as it passes the limit
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    chunks = [b'{"dataframe_split": {"columns": ["customer_id"], "data": ['] + [b'["1"],' * 20_000] * 20
    try:
        connection.request("POST", "/invocations", body=iter(chunks), headers={"Content-Type": "application/json"},
                           encode_chunked=True)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed while the rest of the body was still on its way: read the answer
    response = connection.getresponse()
    assert response.status == 400 and "over the limit of 1,000,000 bytes" in strict_json(response.read())["message"]
    connection.close()
