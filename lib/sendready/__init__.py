"""sendready: evidence of a local area's progress against its SEND inspection findings."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sendready")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
