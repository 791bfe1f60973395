"""Everything MLflow: the experiment config, training runs, the pyfunc model, the registry, the tracking store.

mlflow is imported by the modules that need it, not here.
"""
