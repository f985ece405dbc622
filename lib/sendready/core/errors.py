"""Errors that reach a user as one clear message rather than a traceback.

Every problem a user can fix (a missing file, a wrong header, a bad profile) is raised as
a :class:`SendreadyError`. The command line catches it, prints the message and exits with
a non-zero status; anything else is a bug in the suite and is reported as such.
"""

from __future__ import annotations


class SendreadyError(Exception):
    """A problem with the user's input or set-up, described in words they can act on.

    Args:
        message: What went wrong, naming the file, column, row or key concerned.
        hint: What the user can do about it.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nWhat to do: {self.hint}"
        return self.message


class ProfileError(SendreadyError):
    """An area profile is missing, unreadable or does not match the profile schema."""


class SourceError(SendreadyError):
    """A raw source cannot be read, or lacks a column its contract requires."""
