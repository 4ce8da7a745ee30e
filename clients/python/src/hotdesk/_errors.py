"""Typed errors: every failed call raises a HotdeskError subclass named for its gRPC code."""

from __future__ import annotations

from typing import Optional

import grpc
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "HotdeskError",
    "Cancelled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
    "SessionEnded",
    "WaitTimeout",
]


class HotdeskError(Exception):
    """A call the server (or the connection) failed.

    Attributes:
        code: the gRPC status code (``grpc.StatusCode``).
        message: the server's message, unchanged.
        reason: the ``google.rpc.ErrorInfo`` reason, e.g. ``"NOT_FOUND"`` ("" without one).
        domain: the ErrorInfo domain (``"hotdesk.dev"`` for the server's own errors).
        field: the request field at fault, when the server said ("" otherwise).
        metadata: the ErrorInfo metadata.
        violations: ``(field, description)`` pairs of a ``google.rpc.BadRequest``.
    """

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        code: Optional[grpc.StatusCode] = None,
        reason: str = "",
        domain: str = "",
        field: str = "",
        metadata: Optional[dict] = None,
        violations: Optional[list] = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.field = field
        self.metadata = dict(metadata or {})
        self.violations = list(violations or [])

    def __str__(self) -> str:
        return f"{_code_name(self.code)}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.name}, message={self.message!r}, reason={self.reason!r}, field={self.field!r})"


def _code_name(code: grpc.StatusCode) -> str:
    return "".join(part.capitalize() for part in code.name.split("_"))


def _subclass(name: str, code: grpc.StatusCode, doc: str) -> type:
    return type(name, (HotdeskError,), {"code": code, "__doc__": doc})


Cancelled = _subclass("Cancelled", grpc.StatusCode.CANCELLED, "The call was cancelled.")
Unknown = _subclass("Unknown", grpc.StatusCode.UNKNOWN, "An error without a known code.")
InvalidArgument = _subclass(
    "InvalidArgument", grpc.StatusCode.INVALID_ARGUMENT, "The request broke a rule; .field names the field (HTTP 400)."
)
DeadlineExceeded = _subclass("DeadlineExceeded", grpc.StatusCode.DEADLINE_EXCEEDED, "The call ran past its timeout.")
NotFound = _subclass("NotFound", grpc.StatusCode.NOT_FOUND, "Unknown id, or not visible to the caller (HTTP 404).")
AlreadyExists = _subclass("AlreadyExists", grpc.StatusCode.ALREADY_EXISTS, "Duplicate name (HTTP 409).")
PermissionDenied = _subclass(
    "PermissionDenied", grpc.StatusCode.PERMISSION_DENIED, "Wrong role, or a read-only key used for a change (HTTP 403)."
)
ResourceExhausted = _subclass("ResourceExhausted", grpc.StatusCode.RESOURCE_EXHAUSTED, "No agent has room.")
FailedPrecondition = _subclass(
    "FailedPrecondition", grpc.StatusCode.FAILED_PRECONDITION, "Refused in the current state, e.g. a zone still in use."
)
Aborted = _subclass("Aborted", grpc.StatusCode.ABORTED, "Aborted; may be retried.")
OutOfRange = _subclass("OutOfRange", grpc.StatusCode.OUT_OF_RANGE, "Out of range.")
Unimplemented = _subclass("Unimplemented", grpc.StatusCode.UNIMPLEMENTED, "Contracted but not built yet (HTTP 501).")
Internal = _subclass("Internal", grpc.StatusCode.INTERNAL, "Server error; its log has the details.")
Unavailable = _subclass("Unavailable", grpc.StatusCode.UNAVAILABLE, "Server unreachable; may be retried.")
DataLoss = _subclass("DataLoss", grpc.StatusCode.DATA_LOSS, "Data loss.")
Unauthenticated = _subclass(
    "Unauthenticated", grpc.StatusCode.UNAUTHENTICATED, "Missing, unknown, expired or revoked credential (HTTP 401)."
)

_BY_CODE = {
    cls.code: cls
    for cls in (
        Cancelled, Unknown, InvalidArgument, DeadlineExceeded, NotFound, AlreadyExists, PermissionDenied,
        ResourceExhausted, FailedPrecondition, Aborted, OutOfRange, Unimplemented, Internal, Unavailable,
        DataLoss, Unauthenticated,
    )
}


class SessionEnded(Exception):
    """Raised by ``sessions.wait`` when the session ended in another state than the one awaited."""

    def __init__(self, session, want: int):
        from hotdesk.v1 import session_pb2

        self.session = session
        self.want = want
        name = session_pb2.SessionState.Name
        msg = f"session {session.id} ended {name(session.state)}, not {name(want)}"
        if session.state_reason:
            msg += f": {session.state_reason}"
        super().__init__(msg)


class WaitTimeout(TimeoutError):
    """Raised by ``sessions.wait`` when the timeout passes first; ``.session`` is the last state seen."""

    def __init__(self, message: str, session=None):
        super().__init__(message)
        self.session = session


def from_rpc_error(err: grpc.RpcError) -> HotdeskError:
    """Turns a grpc.RpcError into the HotdeskError subclass of its code, with its details."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    message = (err.details() if hasattr(err, "details") else None) or str(err)
    kwargs: dict = {}
    trailers = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    for key, value in trailers or ():
        if key != "grpc-status-details-bin":
            continue
        st = status_pb2.Status()
        try:
            st.ParseFromString(value)
        except Exception:  # a malformed trailer must not hide the error itself
            break
        violations = []
        for any_ in st.details:
            if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                any_.Unpack(info)
                kwargs.update(reason=info.reason, domain=info.domain, metadata=dict(info.metadata))
                if info.metadata.get("field"):
                    kwargs["field"] = info.metadata["field"]
            elif any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                br = error_details_pb2.BadRequest()
                any_.Unpack(br)
                violations += [(v.field, v.description) for v in br.field_violations]
        kwargs["violations"] = violations
        if not kwargs.get("field") and violations:
            kwargs["field"] = violations[0][0]
    cls = _BY_CODE.get(code, HotdeskError)
    e = cls(message, code=code, **kwargs)
    e.rpc_error = err
    return e
