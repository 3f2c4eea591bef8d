"""Typed errors raised by services; one handler turns them into translated pages."""


class PortalError(Exception):
    status = 400

    def __init__(self, message=None, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationError(PortalError):
    status = 400


class PermissionDenied(PortalError):
    status = 403


class NotFound(PortalError):
    status = 404


class Conflict(PortalError):
    """Someone else changed the row since it was loaded; their change is kept."""

    status = 409


def require(condition, message=None):
    """Raise PermissionDenied unless condition holds: the one way a service checks access."""
    if not condition:
        raise PermissionDenied(message)
