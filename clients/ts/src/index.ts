// Hotdesk TypeScript SDK: a typed client over the REST facade, built on the protobuf-es
// schemas generated from proto/ (gen/ts). Works in browsers and Node (fetch and streams).

export {
  Client,
  AuthApi,
  WorkspacesApi,
  SessionsApi,
  AgentsApi,
  ZonesApi,
  UsersApi,
  GroupsApi,
  ApiKeysApi,
  AuditApi,
  ENDED_STATES,
  SessionEndedError,
  WaitTimeoutError,
  collect,
  requestId,
} from "./client.js";
export type { ClientOptions, ListOptions, WatchOptions } from "./client.js";
export {
  Code,
  HotdeskError,
  InvalidArgumentError,
  NotFoundError,
  AlreadyExistsError,
  PermissionDeniedError,
  UnauthenticatedError,
  FailedPreconditionError,
  ResourceExhaustedError,
  UnimplementedError,
  UnavailableError,
  isCode,
} from "./errors.js";
export type { FieldViolation } from "./errors.js";
export { RestTransport, createServiceClient } from "./transport.js";
export type { CallOptions, ServiceClient, TransportOptions } from "./transport.js";

// The generated messages, enums and service descriptors of hotdesk.v1.
export * from "./gen/hotdesk/v1/agent_pb.js";
export * from "./gen/hotdesk/v1/api_key_pb.js";
export * from "./gen/hotdesk/v1/audit_pb.js";
export * from "./gen/hotdesk/v1/auth_pb.js";
export * from "./gen/hotdesk/v1/group_pb.js";
export * from "./gen/hotdesk/v1/pool_pb.js";
export * from "./gen/hotdesk/v1/server_pb.js";
export * from "./gen/hotdesk/v1/session_pb.js";
export * from "./gen/hotdesk/v1/user_pb.js";
export * from "./gen/hotdesk/v1/workspace_pb.js";
export * from "./gen/hotdesk/v1/zone_pb.js";
