"""One warm kernel per batch worker, reset between notebooks instead of restarted.

Starting a kernel and importing pandas, scipy, matplotlib and the suite into it costs
more CPU than most report notebooks spend on their own work (measured with
``python -m sendready.dev.bench``), and the batch paid it once per notebook. A worker
therefore keeps its kernel between notebooks. Before each reuse the kernel is reset as a
fresh one would be: a new IPython session (empty namespace, execution counts from 1, no
history), no open figures, and the notebook's folder as the working directory. Only the
imported modules stay, which is the point.

A kernel that may be in a bad state (a time limit interrupted it, it failed to start, or
anything other than a cell's own error went wrong) is shut down and the next notebook
starts a new one. The kernel stops with its worker; if the worker is killed, ipykernel's
parent check stops it too.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable

# Makes a kernel's transport settings: (folder for its ipc sockets or None, config).
Setup = Callable[[], tuple[str | None, object]]

log = logging.getLogger("sendready.publish.kernelpool")

# Run in the kernel before a notebook reuses it. The names it makes are cleared by the
# reset itself; ``new_session`` restarts execution counts and history as a new kernel would.
_RESET = """\
import os as _os, sys as _sys
_plt = _sys.modules.get("matplotlib.pyplot")
if _plt is not None:
    _plt.close("all")
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
__import__("gc").collect()
"""

# Command-line settings for every report kernel. Each keeps its IPython history in memory:
# kernels share one history file by default, and several writing it at once made a reset
# fail ("database is locked") and put the history thread's complaint into a report's output.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]

_ENABLED = False  # set in batch workers only: a direct call keeps a fresh kernel
_KERNEL = None  # the worker's AsyncKernelManager, started
_KERNEL_NAME = ""
_SOCKETS: str | None = None
_USES = 0
_PROMPT_CLIENT = None  # built by _prompt_client_class


def enable() -> None:
    """Keep kernels warm in this process (a batch worker); stop them when it exits."""
    global _ENABLED
    if not _ENABLED:
        from multiprocessing import util

        # Runs when a pool worker exits normally (atexit does not run in pool workers).
        util.Finalize(None, discard, exitpriority=10)
        _ENABLED = True


def enabled() -> bool:
    return _ENABLED


def _prompt_client_class():
    """The client class for the suite's kernels: jupyter_client's asynchronous client, but
    ready as soon as the kernel has answered (see :func:`_wait_for_ready`).

    Built on first use: a plain ``import sendready.publish.kernelpool`` stays light.
    """
    global _PROMPT_CLIENT
    if _PROMPT_CLIENT is None:
        from jupyter_client.asynchronous import AsyncKernelClient

        _PROMPT_CLIENT = type(
            "PromptKernelClient", (AsyncKernelClient,), {"wait_for_ready": _wait_for_ready}
        )
    return _PROMPT_CLIENT


async def _wait_for_ready(client, timeout: float | None = None) -> None:
    """Wait until the kernel answers a ``kernel_info`` request on the shell channel and
    its IOPub channel is delivering messages, then return at once.

    jupyter_client's own wait then drains IOPub until it has been quiet for 0.2 s. Every
    later reader (the reset below, nbclient running the cells) matches messages to its
    own request and skips the rest, so the drain only adds 0.2 s, and each notebook waited
    for a kernel twice: 0.4 s a notebook, a minute and a half in a decade of quarters.

    Raises:
        RuntimeError: The kernel died, or did not answer within ``timeout`` seconds (60
            when None), as jupyter_client raises.
    """
    from queue import Empty

    seconds = 60.0 if timeout is None else timeout
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        client.kernel_info()
        try:
            reply = await client.shell_channel.get_msg(timeout=1)
            # The kernel announces it is busy with the request on IOPub: once that
            # arrives, IOPub is connected and no later output can be missed.
            await client.iopub_channel.get_msg(timeout=0.2)
        except Empty:
            if not await client.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info") from None
            continue
        if reply["msg_type"] == "kernel_info_reply":
            client._handle_kernel_info_reply(reply)  # noqa: SLF001 -- as jupyter_client does
            return
    raise RuntimeError(f"Kernel didn't respond in {seconds:g} seconds")


def _run(coroutine_function, *args, **kwargs):
    # The same event-loop helper nbclient uses, so the manager is driven from one loop.
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)(*args, **kwargs)


def start(kernel_name: str, cwd: str, setup: Setup, start: bool = True):
    """A kernel manager for one kernel, with the folder holding its sockets (if any).

    Args:
        kernel_name: The kernelspec to run.
        cwd: The notebook's folder: the kernel's working directory.
        setup: Makes the kernel's transport settings: ``(socket folder or None, config)``.
        start: Start the kernel now; False leaves that to the notebook client.

    Returns:
        ``(manager, sockets)``; pass both to :func:`stop` when done with it.
    """
    from jupyter_client.manager import AsyncKernelManager

    sockets, config = setup()
    manager = AsyncKernelManager(kernel_name=kernel_name, config=config)
    manager.client_factory = _prompt_client_class()
    if start:
        try:
            _run(manager.start_kernel, cwd=cwd, extra_arguments=KERNEL_ARGUMENTS)
        except BaseException:
            stop(manager, sockets)
            raise
    return manager, sockets


def stop(manager, sockets: str | None) -> None:
    """Shut a kernel down (if it is running) and remove its sockets."""
    if manager is not None:
        try:
            if manager.has_kernel:
                _run(manager.shutdown_kernel, now=True)
        except Exception as exc:  # already dead: nothing left to stop
            log.debug("kernel shutdown: %s", exc)
        try:
            _run(manager.cleanup_resources)
        except Exception as exc:
            log.debug("kernel cleanup: %s", exc)
    if sockets:
        shutil.rmtree(sockets, ignore_errors=True)


def acquire(kernel_name: str, cwd: str, setup: Setup):
    """The worker's kernel, reset for the next notebook, or a newly started one.

    Args:
        kernel_name: The kernelspec to run.
        cwd: The notebook's folder: its working directory.
        setup: Makes the kernel's transport settings (see :func:`start`).

    Returns:
        A started ``AsyncKernelManager`` to pass to papermill as ``km``.
    """
    global _KERNEL, _KERNEL_NAME, _SOCKETS, _USES
    if _KERNEL is not None and (_KERNEL_NAME != kernel_name or not _run(_KERNEL.is_alive)):
        discard()
    if _KERNEL is not None:
        _reset(cwd)
        _USES += 1
        return _KERNEL
    manager, sockets = start(kernel_name, cwd, setup)
    _KERNEL, _KERNEL_NAME, _SOCKETS, _USES = manager, kernel_name, sockets, 1
    return _KERNEL


def _reset(cwd: str) -> None:
    async def reset() -> dict:
        client = _KERNEL.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            return await client.execute_interactive(
                _RESET.format(cwd=cwd),
                store_history=False,
                timeout=60,
                output_hook=lambda msg: None,
            )
        finally:
            client.stop_channels()

    reply = _run(reset)
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue', '')}")


def discard() -> None:
    """Shut the worker's kernel down (if any) and remove its sockets."""
    global _KERNEL, _SOCKETS
    manager, sockets = _KERNEL, _SOCKETS
    _KERNEL, _SOCKETS = None, None
    stop(manager, sockets)


def uses() -> int:
    """How many notebooks the current kernel has run (0 when there is none)."""
    return _USES if _KERNEL is not None else 0
