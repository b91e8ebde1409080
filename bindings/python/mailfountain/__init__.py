"""mailfountain — Python binding of libmailfountain, over its C API (mailfountain.h).

Pure Python (ctypes): nothing to build besides the library itself. The library is found
at the path in the environment variable MAILFOUNTAIN_LIB, or else by
ctypes.util.find_library("mailfountain").

    import mailfountain

    mailfountain.Context.init("/tmp/mf", "admin", "admin-password")
    with mailfountain.Context.open("/tmp/mf") as ctx:
        admin = ctx.admin("my-script")
        ctx.directory.add_domain(admin, "ma-societe.fr")
        print(ctx.directory.resolve("postmaster@ma-societe.fr").mailboxes)

See docs/python.md for the whole surface.
"""

from .context import Context, Directory, Principal, schema_version, version
from .errors import (AlreadyExists, Code, Corruption, FailedPrecondition, InternalError,
                     InvalidArgument, IoError, MailFountainError, NotFound, PermissionDenied,
                     ResourceExhausted, Unauthenticated, Unsupported)
from ._native import LibraryNotFound
from .types import (Account, AccountState, AddressKind, Alias, AuditEntry, Domain, KeepCopy,
                    ManagerGrant, Notice, Quota, QuotaSource, Redirection, Removal,
                    Resolution, SendAs, Service)

__all__ = [
    "Context", "Directory", "Principal", "schema_version", "version",
    "MailFountainError", "Code", "InvalidArgument", "NotFound", "AlreadyExists",
    "PermissionDenied", "Unauthenticated", "FailedPrecondition", "ResourceExhausted",
    "IoError", "Corruption", "Unsupported", "InternalError", "LibraryNotFound",
    "Service", "AddressKind", "Removal", "SendAs", "KeepCopy", "AccountState", "QuotaSource",
    "Resolution", "Domain", "Account", "Alias", "Redirection", "ManagerGrant", "Quota",
    "AuditEntry", "Notice",
]
