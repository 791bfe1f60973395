"""No more compute threads than the cores this process may use.

BLAS (OpenBLAS, MKL), OpenMP and DuckDB start one thread per core of the machine unless told
otherwise. On a shared or pinned machine (``taskset``, a container's CPU set) that oversubscribes
the cores and a busy machine slows tierkit far more than in proportion. :func:`limit_threads`
caps every thread pool at :func:`available_cores`: pools already loaded through ``threadpoolctl``,
pools loaded later through the variables they read when they load (``OMP_NUM_THREADS``
...). A lower limit already set is kept. The command line calls it at start-up.
"""

from __future__ import annotations

import os

#: Variables the thread pools read when their library loads.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_MAX_THREADS")


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity, else the machine's cores.

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no sched_getaffinity (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def limit_threads(cores: int | None = None) -> int:
    """Cap every BLAS and OpenMP thread pool of the process at ``cores``; return the cap.

    Pools of libraries already loaded are capped now (``threadpoolctl``); libraries loaded
    later read the cap from :data:`THREAD_VARIABLES`. Pools and variables already at or below
    the cap are left as they are.

    Parameters
    ----------
    cores : int, optional
        Default :func:`available_cores`.

    Returns
    -------
    int

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> cap = limit_threads()
    >>> cap == available_cores(), [pool for pool in threadpool_info() if pool["num_threads"] > cap]
    (True, [])
    """
    cap = int(cores or available_cores())
    for name in THREAD_VARIABLES:
        current = os.environ.get(name, "")
        if not (current.isdigit() and 0 < int(current) <= cap):
            os.environ[name] = str(cap)
    from threadpoolctl import ThreadpoolController

    for pool in ThreadpoolController().lib_controllers:
        if pool.num_threads > cap:
            pool.set_num_threads(cap)
    return cap


def thread_pools() -> str:
    """The thread pools loaded in this process and their threads, for a log line.

    Examples
    --------
    >>> import numpy
    >>> "openblas" in thread_pools() or "mkl" in thread_pools() or thread_pools() == "none loaded"
    True
    """
    from threadpoolctl import threadpool_info

    pools = [f"{pool['internal_api']} {pool['num_threads']}" for pool in threadpool_info()]
    return ", ".join(pools) or "none loaded"
