"""The model registry: register a run's segmentation model and point an alias at it."""

from __future__ import annotations

import contextlib
import io
import logging
import re

from tierkit.errors import TierkitError

log = logging.getLogger(__name__)


def check_registry_names(name, alias=None, where: str = "") -> None:
    """Refuse, in one line, a registered-model name or alias MLflow would reject (before any run is logged).

    Examples
    --------
    >>> check_registry_names("tierkit-cdnow", "champion")
    >>> check_registry_names("shop/tiers", where="mlflow.registered_model")
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: mlflow.registered_model 'shop/tiers': a registered model name cannot be empty
    or contain '/' or ':'
    """
    label = f"{where} " if where else "name "
    if not isinstance(name, str) or not name.strip() or "/" in name or ":" in name:
        raise TierkitError(f"{label}{name!r}: a registered model name cannot be empty or contain '/' or ':'")
    if alias is not None:
        alias_label = where.replace("registered_model", "alias") + " " if where else "alias "
        if (not isinstance(alias, str) or not re.fullmatch(r"[\w-]+", alias) or alias.lower() == "latest"
                or re.fullmatch(r"[vV][0-9]+", alias)):
            raise TierkitError(f"{alias_label}{alias!r}: an alias is letters, digits, '_' and '-', and not 'latest' "
                               "or a version such as 'v1'")


def register_run_model(run_id: str, name: str, *, alias: str | None = "champion", artifact: str = "model") -> str:
    """Register the model logged in run ``run_id`` as ``name``; set ``alias``; return the version.

    Consumers then load it with ``mlflow.pyfunc.load_model(f"models:/{name}@{alias}")``.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    check_registry_names(name, alias)
    if not re.fullmatch(r"[0-9a-f]{32}", str(run_id)):
        raise TierkitError(f"run {run_id!r}: not a run id; expected the 32 hexadecimal digits MLflow shows")
    client = mlflow.MlflowClient()
    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise TierkitError(f"run {run_id!r}: no such run in the tracking store {mlflow.get_tracking_uri()}") from None
    # Logged models are searched in the run's own experiment (by default MLflow looks only in
    # the default one, where `tierkit run` never logs).
    models = [m for m in mlflow.search_logged_models(experiment_ids=[run.info.experiment_id],
                                                     filter_string=f"source_run_id = '{run_id}'", output_format="list")
              if m.name == artifact]
    if not models:
        raise TierkitError(f"run {run_id!r}: has no logged model called {artifact!r}")
    chatter = io.StringIO()
    with contextlib.redirect_stderr(chatter):  # MLflow prints "Successfully registered ..." itself
        version = mlflow.register_model(models[0].model_uri, name)
    for line in chatter.getvalue().splitlines():
        log.info(line)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return str(version.version)
