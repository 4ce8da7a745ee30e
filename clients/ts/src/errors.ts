// Typed errors: every failed call rejects with a HotdeskError (a subclass per common code)
// carrying the gRPC code and the server's message unchanged, plus its ErrorInfo details.

/** gRPC status codes, as the REST facade's error bodies carry them. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** One field error of a google.rpc.BadRequest. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** A failed call: the gRPC code, the server's message and the details it attached. */
export class HotdeskError extends Error {
  /** The gRPC status code, e.g. Code.NOT_FOUND (5). */
  readonly code: Code;
  /** The code's name, e.g. "NOT_FOUND". */
  readonly codeName: string;
  /** The google.rpc.ErrorInfo reason, e.g. "NOT_FOUND"; "" without one. */
  readonly reason: string;
  /** The ErrorInfo domain ("hotdesk.dev" for the server's own errors). */
  readonly domain: string;
  /** The request field at fault, when the server said; "" otherwise. */
  readonly field: string;
  /** The ErrorInfo metadata. */
  readonly metadata: Record<string, string>;
  /** The BadRequest field violations. */
  readonly violations: FieldViolation[];
  /** The raw details of the error body (google.protobuf.Any in JSON form). */
  readonly details: unknown[];
  /** The HTTP status of the response, or 0 when none arrived. */
  readonly httpStatus: number;

  constructor(
    code: Code,
    message: string,
    init: { details?: unknown[]; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.codeName = Code[code] ?? "UNKNOWN";
    this.details = init.details ?? [];
    this.httpStatus = init.httpStatus ?? 0;
    let reason = "",
      domain = "",
      field = "",
      metadata: Record<string, string> = {};
    const violations: FieldViolation[] = [];
    for (const d of this.details) {
      if (typeof d !== "object" || d === null) continue;
      const any = d as Record<string, unknown>;
      const type = String(any["@type"] ?? "");
      if (type.endsWith("/google.rpc.ErrorInfo")) {
        reason = String(any.reason ?? "");
        domain = String(any.domain ?? "");
        metadata = (any.metadata as Record<string, string>) ?? {};
        field = metadata.field ?? field;
      } else if (type.endsWith("/google.rpc.BadRequest")) {
        for (const v of (any.fieldViolations as Array<Record<string, string>>) ?? []) {
          violations.push({ field: v.field ?? "", description: v.description ?? "" });
        }
      }
    }
    this.reason = reason;
    this.domain = domain;
    this.metadata = metadata;
    this.violations = violations;
    this.field = field || violations[0]?.field || "";
  }

  override toString(): string {
    return `${this.name}: ${this.codeName}: ${this.message}`;
  }
}

/** A request broke a rule (HTTP 400); `field` names the field. */
export class InvalidArgumentError extends HotdeskError {}
/** Unknown id, or a resource the caller may not see (HTTP 404). */
export class NotFoundError extends HotdeskError {}
/** Duplicate name (HTTP 409). */
export class AlreadyExistsError extends HotdeskError {}
/** Wrong role, or a read-only key used for a change (HTTP 403). */
export class PermissionDeniedError extends HotdeskError {}
/** Missing, unknown, expired or revoked credential (HTTP 401). */
export class UnauthenticatedError extends HotdeskError {}
/** Refused in the current state, e.g. deleting a zone still in use. */
export class FailedPreconditionError extends HotdeskError {}
/** No agent had room. */
export class ResourceExhaustedError extends HotdeskError {}
/** Contracted but not built yet (HTTP 501). */
export class UnimplementedError extends HotdeskError {}
/** The server could not be reached; the call may be retried. */
export class UnavailableError extends HotdeskError {}

const classes: Partial<Record<Code, new (code: Code, message: string, init?: ConstructorParameters<typeof HotdeskError>[2]) => HotdeskError>> = {
  [Code.INVALID_ARGUMENT]: InvalidArgumentError,
  [Code.NOT_FOUND]: NotFoundError,
  [Code.ALREADY_EXISTS]: AlreadyExistsError,
  [Code.PERMISSION_DENIED]: PermissionDeniedError,
  [Code.UNAUTHENTICATED]: UnauthenticatedError,
  [Code.FAILED_PRECONDITION]: FailedPreconditionError,
  [Code.RESOURCE_EXHAUSTED]: ResourceExhaustedError,
  [Code.UNIMPLEMENTED]: UnimplementedError,
  [Code.UNAVAILABLE]: UnavailableError,
};

/** Builds the HotdeskError subclass of a code. */
export function errorFor(code: Code, message: string, init: ConstructorParameters<typeof HotdeskError>[2] = {}): HotdeskError {
  const C = classes[code] ?? HotdeskError;
  return new C(code, message, init);
}

const httpCodes: Record<number, Code> = {
  400: Code.INVALID_ARGUMENT,
  401: Code.UNAUTHENTICATED,
  403: Code.PERMISSION_DENIED,
  404: Code.NOT_FOUND,
  409: Code.ALREADY_EXISTS,
  429: Code.RESOURCE_EXHAUSTED,
  499: Code.CANCELLED,
  501: Code.UNIMPLEMENTED,
  502: Code.UNAVAILABLE,
  503: Code.UNAVAILABLE,
  504: Code.DEADLINE_EXCEEDED,
};

/** Turns a REST error body ({"code","message","details"}) or a bare HTTP status into an error. */
export function fromBody(httpStatus: number, body: unknown): HotdeskError {
  if (typeof body === "object" && body !== null && typeof (body as { code?: unknown }).code === "number") {
    const b = body as { code: number; message?: string; details?: unknown[] };
    return errorFor(b.code as Code, b.message ?? "", { details: b.details ?? [], httpStatus });
  }
  const code = httpCodes[httpStatus] ?? (httpStatus >= 500 ? Code.INTERNAL : Code.UNKNOWN);
  const text = typeof body === "string" && body.trim() !== "" ? body.trim() : `HTTP ${httpStatus}`;
  return errorFor(code, text, { httpStatus });
}

/** Whether err is a HotdeskError with the given code. */
export function isCode(err: unknown, code: Code): err is HotdeskError {
  return err instanceof HotdeskError && err.code === code;
}
