"""Errors a user can cause. The CLI turns each into a one-line message and exit code 2."""


class ModelgenError(Exception):
    """A user mistake (bad template, bad option, bad file): message names the field and the reason."""


class TemplateError(ModelgenError):
    """The template (or a --set / --scenario) is not a valid deal."""


class WorkbookError(ModelgenError):
    """A file is not a workbook that modelgen can read."""
