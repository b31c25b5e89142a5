"""User mistakes as one-line CLI errors: every command wraps its body in :func:`friendly_errors`."""
from __future__ import annotations

import functools

import click

from .errors import ModelgenError


class UserError(click.ClickException):
    """A user mistake: printed as one line, exit code 2."""

    exit_code = 2


def friendly_errors(func):
    """Turn library errors into one-line CLI errors with exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ModelgenError as exc:
            raise UserError(str(exc)) from None

    return wrapper
