"""The model registry: register a run's segmentation model, describe the version, point an alias at it.

A registered version says what it carries: its description and tags (:func:`version_tags`) give
the as-of date of the standards, the customers they were learned on, the time unit, k, the CLV
model and its parameters, the config, the run and the best scheme, read from the run itself; so
``@champion`` tells which month's standards it grades by.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re

from tierkit.errors import TierkitError
from tierkit.messages import Message

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
    if not isinstance(name, str) or not name.strip() or "/" in name or ":" in name:
        raise TierkitError("registry_name", param=where or "name", value=repr(name))
    if alias is not None:
        if (not isinstance(alias, str) or not re.fullmatch(r"[\w-]+", alias) or alias.lower() == "latest"
                or re.fullmatch(r"[vV][0-9]+", alias)):
            raise TierkitError("registry_alias", param=where.replace("registered_model", "alias") if where else "alias",
                               value=repr(alias))


def register_run_model(run_id: str, name: str, *, alias: str | None = "champion", artifact: str = "model") -> str:
    """Register the model logged in run ``run_id`` as ``name``; set ``alias``; return the version.

    Consumers then load it with ``mlflow.pyfunc.load_model(f"models:/{name}@{alias}")``.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    check_registry_names(name, alias)
    if not re.fullmatch(r"[0-9a-f]{32}", str(run_id)):
        raise TierkitError("run_id_bad", run=repr(run_id))
    client = mlflow.MlflowClient()
    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise TierkitError("no_run", run=repr(run_id), tracking=mlflow.get_tracking_uri()) from None
    # Logged models are searched in the run's own experiment (by default MLflow looks only in
    # the default one, where `tierkit run` never logs).
    models = [m for m in mlflow.search_logged_models(experiment_ids=[run.info.experiment_id],
                                                     filter_string=f"source_run_id = '{run_id}'", output_format="list")
              if m.name == artifact]
    if not models:
        parent = run.data.tags.get("mlflow.parentRunId")
        hint = Message("child_run", scheme=repr(run.info.run_name), parent=parent) if parent else ""
        raise TierkitError("run_no_model", run=repr(run_id), artifact=repr(artifact), hint=hint)
    chatter = io.StringIO()
    with contextlib.redirect_stderr(chatter):  # MLflow prints "Successfully registered ..." itself
        version = mlflow.register_model(models[0].model_uri, name)
    for line in chatter.getvalue().splitlines():
        log.info(line)
    tags = version_tags(run)
    client.update_model_version(name, version.version, description=version_description(tags, name, version.version))
    for key, value in tags.items():
        client.set_model_version_tag(name, version.version, key, value)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return str(version.version)


#: Run tags copied to a registered version's tags, by version tag name.
_FROM_RUN_TAGS = {"as_of": "tierkit.as_of", "k": "tierkit.k", "clv_model": "tierkit.clv_model",
                  "clv_params": "tierkit.clv_params", "config": "tierkit.config", "best_scheme": "best_scheme"}


def version_tags(run) -> dict:
    """A registered version's tags, from the tierkit run its model came from.

    Parameters
    ----------
    run : mlflow.entities.Run
        The parent run of ``tierkit run`` (older runs lack some tags; those are left out).

    Returns
    -------
    dict of str to str
        ``as_of``, ``customers``, ``time_unit``, ``k`` (with clusters), ``clv_model`` and
        ``clv_params`` (JSON; with a CLV step), ``config`` (file), ``config_name`` (the run
        name), ``run_id`` and ``best_scheme`` (with a holdout comparison).
    """
    data = run.data
    tags = {name: data.tags[tag] for name, tag in _FROM_RUN_TAGS.items() if data.tags.get(tag)}
    if "customers" in data.metrics:
        tags["customers"] = str(int(data.metrics["customers"]))
    if data.params.get("time_unit"):
        tags["time_unit"] = data.params["time_unit"]
    if "k" not in tags and "k" in data.metrics:
        tags["k"] = str(int(data.metrics["k"]))
    if "clv_params" not in tags and "clv_model" in tags:  # runs older than the tag: the clv.* metrics
        clv = {key[4:]: value for key, value in data.metrics.items()
               if key.startswith("clv.") and key != "clv.log_likelihood"}
        if clv:
            tags["clv_params"] = json.dumps(clv, sort_keys=True)
    if run.info.run_name:
        tags["config_name"] = run.info.run_name
    tags["run_id"] = run.info.run_id
    return tags


def version_description(tags: dict, name: str, version=None) -> str:
    """A registered version's description from its :func:`version_tags`.

    Examples
    --------
    >>> print(version_description({"as_of": "1998-06-30", "customers": "2357", "time_unit": "W", "k": "3",
    ...     "config_name": "cdnow", "config": "cdnow.yaml", "run_id": "ab12", "best_scheme": "abc_tier"},
    ...     "tierkit-cdnow", 4))
    Customer-tier standards of cdnow as of 1998-06-30, learned on 2,357 customers (time unit W).
    k = 3 clusters.
    Best scheme on the holdout: abc_tier.
    From run ab12 (config cdnow.yaml).
    Load: mlflow.pyfunc.load_model("models:/tierkit-cdnow/4")
    """
    customers = tags.get("customers")
    customers = f"{int(customers):,}" if customers and customers.isdigit() else "?"
    lines = [f"Customer-tier standards of {tags.get('config_name', name)} as of {tags.get('as_of', '?')}, "
             f"learned on {customers} customers (time unit {tags.get('time_unit', '?')})."]
    if "k" in tags:
        lines.append(f"k = {tags['k']} clusters.")
    if "clv_model" in tags:
        params = json.loads(tags["clv_params"]) if "clv_params" in tags else {}
        lines.append(f"CLV: {tags['clv_model']}" + (f", parameters {_params_text(params)}." if params else "."))
    if "best_scheme" in tags:
        lines.append(f"Best scheme on the holdout: {tags['best_scheme']}.")
    lines.append(f"From run {tags.get('run_id', '?')}" + (f" (config {tags['config']})." if "config" in tags else "."))
    if version is not None:
        lines.append(f'Load: mlflow.pyfunc.load_model("models:/{name}/{version}")')
    return "\n".join(lines)


def _params_text(params: dict) -> str:
    """``r=0.254, alpha=5.45; gamma_gamma p=4.68 ...`` from nested or flat parameters."""
    parts = []
    for key, value in params.items():
        if isinstance(value, dict):
            parts.append(f"{key} " + ", ".join(f"{k}={v:.4g}" for k, v in value.items()))
        else:
            parts.append(f"{key}={value:.4g}")
    return "; ".join(parts)
