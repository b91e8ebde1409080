"""Exceptions raised by the mailfountain package, one per result code of the C API.

Every failure of the library is a MailFountainError carrying `code` (a Code) and
`message` (the library's sentence saying what is wrong); str(error) is the message.
Catch a subclass to act on one kind of failure:

    try:
        ctx.directory.add_domain(admin, "ma-societe.fr")
    except mailfountain.AlreadyExists:
        pass
"""

import enum


class Code(enum.IntEnum):
    """The result codes of the C API (MF_E_* in mailfountain.h, mf::Code in C++)."""

    OK = 0
    INVALID_ARGUMENT = 1
    NOT_FOUND = 2
    ALREADY_EXISTS = 3
    PERMISSION_DENIED = 4
    UNAUTHENTICATED = 5
    FAILED_PRECONDITION = 6
    RESOURCE_EXHAUSTED = 7
    IO_ERROR = 8
    CORRUPTION = 9
    UNSUPPORTED = 10
    INTERNAL = 11


class MailFountainError(Exception):
    """Base class of every error the library reports."""

    #: The code this class stands for; None for the base class.
    default_code = None

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.default_code

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"{type(self).__name__}({self.message!r})"


class InvalidArgument(MailFountainError, ValueError):
    """The caller's input is malformed (a bad address, a short password, a bad size)."""
    default_code = Code.INVALID_ARGUMENT


class NotFound(MailFountainError, LookupError):
    """The named object (domain, account, address, data directory) does not exist."""
    default_code = Code.NOT_FOUND


class AlreadyExists(MailFountainError):
    """The object or address is already taken."""
    default_code = Code.ALREADY_EXISTS


class PermissionDenied(MailFountainError):
    """The acting principal lacks the right for this operation."""
    default_code = Code.PERMISSION_DENIED


class Unauthenticated(MailFountainError):
    """Wrong credentials, or a login refused for this service."""
    default_code = Code.UNAUTHENTICATED


class FailedPrecondition(MailFountainError):
    """The operation is valid but the current state forbids it (also: a closed Context)."""
    default_code = Code.FAILED_PRECONDITION


class ResourceExhausted(MailFountainError):
    """A limit was hit (store size, recursion), or memory ran out."""
    default_code = Code.RESOURCE_EXHAUSTED


class IoError(MailFountainError):
    """The environment failed: disk, permissions, LMDB."""
    default_code = Code.IO_ERROR


class Corruption(MailFountainError):
    """Stored data is unreadable."""
    default_code = Code.CORRUPTION


class Unsupported(MailFountainError):
    """E.g. a data directory written by a newer schema version."""
    default_code = Code.UNSUPPORTED


class InternalError(MailFountainError):
    """A broken invariant inside the library: a bug to report."""
    default_code = Code.INTERNAL


_BY_CODE = {cls.default_code: cls for cls in (
    InvalidArgument, NotFound, AlreadyExists, PermissionDenied, Unauthenticated,
    FailedPrecondition, ResourceExhausted, IoError, Corruption, Unsupported, InternalError)}


def error_for(code, message):
    """The exception for result `code` (a non-zero int) with `message`. A code this
    package does not know (from a newer library) gives the base class."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return MailFountainError(message or f"unknown error code {code}", code)
    return cls(message, Code(code))
