"""Serve a tierkit model over REST with a bounded request: ``tierkit serve MODEL``.

``mlflow models serve`` reads a request's whole body and turns it into a DataFrame before the
model sees it (about 1 s per MB here), and neither MLflow's scoring server nor uvicorn limits the
body: a 1,000,000-row request ties a worker up for a minute before the model's own row limit can
refuse it. :func:`serving_app` is MLflow's own scoring app (``mlflow.pyfunc.scoring_server.init``:
the same routes, the same answers) behind :class:`BodyLimit`, which answers 400 at once, from the
declared ``Content-Length`` or as soon as a streamed body passes the limit, without reading the
rest. The model's row and horizon limits (:mod:`tierkit.mlops.pyfunc`) still apply below it.
"""

from __future__ import annotations

import json

#: Default body limit: 100,000 feature rows (the model's row limit) take about 18 MB as
#: ``dataframe_records`` and 6 MB as ``dataframe_split``.
DEFAULT_MAX_BODY = "24MB"


class BodyLimit:
    """ASGI middleware that refuses a request body over ``max_bytes`` with 400, before reading it.

    The answer is MLflow's error shape (``error_code`` ``INVALID_PARAMETER_VALUE`` and a one-line
    ``message``), as for every other refused request.

    Parameters
    ----------
    app : ASGI application
    max_bytes : int
        The largest body accepted.

    Examples
    --------
    >>> import asyncio
    >>> async def app(scope, receive, send):
    ...     await receive()
    ...     await send({"type": "http.response.start", "status": 200, "headers": []})
    ...     await send({"type": "http.response.body", "body": b"ok"})
    >>> sent = []
    >>> async def send(message):
    ...     sent.append(message)
    >>> async def receive():
    ...     return {"type": "http.request", "body": b"x" * 10, "more_body": False}
    >>> scope = {"type": "http", "headers": [(b"content-length", b"10")]}
    >>> asyncio.run(BodyLimit(app, max_bytes=5)(scope, receive, send))
    >>> sent[0]["status"], json.loads(sent[1]["body"])["error_code"]
    (400, 'INVALID_PARAMETER_VALUE')
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, int(max_bytes)

    def _message(self, size: str) -> bytes:
        return json.dumps({
            "error_code": "INVALID_PARAMETER_VALUE",
            "message": f"request body: {size} is over the limit of {self.max_bytes:,} bytes; send fewer rows per "
                       "request (tierkit serve --max-body raises the limit)",
        }).encode()

    async def _refuse(self, send, size: str) -> None:
        body = self._message(size)
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        """Pass the request on, or answer 400 when its body is or becomes larger than the limit."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send, f"{int(declared):,} bytes")
        # MLflow reads every body whole anyway: read it here, up to the limit, then hand it on
        chunks, received = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_bytes:
                return await self._refuse(send, f"more than {self.max_bytes:,} bytes")
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def serving_app(model_uri: str, *, max_body: str = DEFAULT_MAX_BODY, model_config: dict | None = None):
    """MLflow's scoring app for the model at ``model_uri``, behind :class:`BodyLimit`.

    Parameters
    ----------
    model_uri : str
        ``models:/NAME@ALIAS``, ``runs:/RUN_ID/model`` or a model folder.
    max_body : str, default="24MB"
        The largest request body, as a size (``"24MB"``, ``"1MiB"``).
    model_config : dict, optional
        The model's limits (``max_rows``, ``max_horizon_days``; :mod:`tierkit.mlops.pyfunc`).

    Returns
    -------
    ASGI application
    """
    import mlflow.pyfunc
    from mlflow.pyfunc import scoring_server

    from tierkit.data.memory import size_in_bytes

    limit = size_in_bytes(max_body, "max_body")
    model = mlflow.pyfunc.load_model(model_uri, model_config=model_config or None)
    return BodyLimit(scoring_server.init(model), limit)
