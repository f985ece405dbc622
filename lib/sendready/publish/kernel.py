"""The Jupyter kernel that runs sendready's notebooks.

Notebooks must run on the interpreter that has sendready and its pinned dependencies
installed, not on whichever ``python3`` kernel Jupyter happens to find first. So the
environment registers its own kernel, named ``sendready``, inside the environment itself
(``--sys-prefix``): it never depends on the user's home folder and disappears with the
environment. Callers that execute notebooks pass ``kernel_name=KERNEL_NAME`` explicitly.

Run ``sendready kernel`` (or ``python -m sendready kernel``) with the environment's
interpreter to install (or repair) the kernel; ``sendready kernel --check`` only checks it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sendready.core.errors import SendreadyError

KERNEL_NAME = "sendready"
DISPLAY_NAME = "Python 3 (sendready)"

_INSTALL_HINT = "run `make setup`, or `python -m sendready kernel` with this environment's python"


def kernelspec_path(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Where the kernel's folder lives under an install prefix.

    Args:
        prefix: The environment's prefix; defaults to the running interpreter's
            (``sys.prefix``), which is the virtual environment when run from one.

    Returns:
        ``<prefix>/share/jupyter/kernels/sendready``: the folder holding ``kernel.json``.
        Jupyter searches ``<sys.prefix>/share/jupyter`` on its own, so nothing needs to be
        added to ``JUPYTER_PATH`` (which must never be set: see docs/architecture.md, "Pitfalls").
    """
    base = Path(prefix) if prefix is not None else Path(sys.prefix)
    return base / "share" / "jupyter" / "kernels" / KERNEL_NAME


def _same_interpreter(kernel_python: str, python: str) -> bool:
    # A venv's bin/python is a symlink to the base interpreter, so comparing resolved paths
    # alone would accept a kernel that runs the base Python without the venv's packages.
    # Require the same folder (the same environment) *and* the same real binary, which
    # still accepts bin/python3 for bin/python.
    if not os.path.isabs(kernel_python):
        return False
    same_env = os.path.dirname(os.path.abspath(kernel_python)) == os.path.dirname(
        os.path.abspath(python)
    )
    return same_env and os.path.realpath(kernel_python) == os.path.realpath(python)


def _read_spec(kernel_json: Path) -> dict | None:
    try:
        spec = json.loads(kernel_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return spec if isinstance(spec, dict) else None


def _spec_is_current(spec: dict | None, python: str) -> bool:
    if spec is None:
        return False
    argv = spec.get("argv")
    return (
        isinstance(argv, list)
        and bool(argv)
        and _same_interpreter(str(argv[0]), python)
        and spec.get("display_name") == DISPLAY_NAME
        and spec.get("language") == "python"
    )


def ensure_kernelspec(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Install the ``sendready`` kernel into an environment unless it is already right.

    Idempotent: a kernel that already points at this interpreter is left untouched, so
    ``make`` can call this on every run. A stale one (for example, left behind after the
    environment was rebuilt with another Python) is replaced.

    Args:
        prefix: Install prefix; defaults to ``sys.prefix`` (the running environment).

    Returns:
        The kernel's folder (see :func:`kernelspec_path`).

    Raises:
        SendreadyError: The prefix cannot be written to.
    """
    target = kernelspec_path(prefix)
    if _spec_is_current(_read_spec(target / "kernel.json"), sys.executable):
        return target

    # Imported here: jupyter_client is slow to import and only needed when installing.
    from ipykernel.kernelspec import install

    install_prefix = str(prefix) if prefix is not None else sys.prefix
    try:
        # ipykernel writes argv[0] = sys.executable, i.e. this environment's interpreter.
        installed = install(
            kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=install_prefix
        )
    except OSError as exc:
        raise SendreadyError(
            f"Could not install the Jupyter kernel '{KERNEL_NAME}' under {install_prefix}: "
            f"{exc.strerror or exc}",
            hint="check that the environment's folder is writable, or rebuild it with "
            "`make distclean setup`",
        ) from None
    return Path(installed)


def check_kernelspec(kernel_dirs: Sequence[str | os.PathLike[str]] | None = None) -> Path:
    """Check that Jupyter resolves ``sendready`` to a kernel running this interpreter.

    A kernel of the same name found earlier on Jupyter's search path silently wins: one in
    a folder on ``JUPYTER_PATH``, or one under the home folder when Jupyter prefers user
    folders (outside a virtual environment, or with ``JUPYTER_PREFER_ENV_PATH=0``). This
    looks the name up exactly as Jupyter will.

    Args:
        kernel_dirs: Folders to search, in Jupyter's order of precedence. Defaults to
            Jupyter's own search path.

    Returns:
        The folder of the kernel Jupyter would use.

    Raises:
        SendreadyError: No such kernel, or it runs a different Python.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    if kernel_dirs is not None:
        manager.kernel_dirs = [str(d) for d in kernel_dirs]
    try:
        resource_dir = Path(manager.find_kernel_specs()[KERNEL_NAME])
    except KeyError:
        raise SendreadyError(
            f"Jupyter has no kernel named '{KERNEL_NAME}'.", hint=_INSTALL_HINT
        ) from None
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
    except (NoSuchKernel, OSError, ValueError) as exc:
        raise SendreadyError(
            f"The Jupyter kernel '{KERNEL_NAME}' in {resource_dir} cannot be read: {exc}",
            hint=_INSTALL_HINT,
        ) from None
    kernel_python = spec.argv[0] if spec.argv else "(nothing)"
    if not _same_interpreter(kernel_python, sys.executable):
        raise SendreadyError(
            f"The Jupyter kernel '{KERNEL_NAME}' found in {resource_dir} runs {kernel_python}, "
            f"not this environment's Python ({sys.executable}).",
            hint=f"delete {resource_dir} if it is a leftover, then {_INSTALL_HINT}",
        )
    return resource_dir
