"""How the suite starts worker processes: one rule for every pool.

The report batch, the evidence of many quarters and the public pack each run work in
several processes. They share one start method so that what runs on Linux (and in the
tests) is what runs on Windows.
"""

from __future__ import annotations

START_METHOD = "spawn"


def pool_context():
    """The worker pools' multiprocessing context: ``spawn`` on every platform.

    Windows can only spawn, and a forked worker would inherit this process's state
    (imported modules, open handles, threads) that a spawned one must rebuild; spawning
    everywhere means the tests on Linux run what Windows runs, and that everything sent
    to a worker (jobs, initialiser arguments, results) must pickle.
    """
    import multiprocessing

    return multiprocessing.get_context(START_METHOD)
