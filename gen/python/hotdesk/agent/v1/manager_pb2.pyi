import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_ROLE_UNSPECIFIED: _ClassVar[AgentRole]
    AGENT_ROLE_AGENT: _ClassVar[AgentRole]
    AGENT_ROLE_CONNECTION_PROXY: _ClassVar[AgentRole]
    AGENT_ROLE_DEDICATED_PROXY: _ClassVar[AgentRole]

class Capability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPABILITY_UNSPECIFIED: _ClassVar[Capability]
    CAPABILITY_SESSION_CONTAINERS: _ClassVar[Capability]
    CAPABILITY_IMAGE_SYNC: _ClassVar[Capability]
    CAPABILITY_GPU: _ClassVar[Capability]
    CAPABILITY_CPU_QUOTA: _ClassVar[Capability]
    CAPABILITY_DIRECT_TO_AGENT: _ClassVar[Capability]
    CAPABILITY_PROTOCOL_VNC: _ClassVar[Capability]
    CAPABILITY_PROTOCOL_SSH: _ClassVar[Capability]
    CAPABILITY_PROTOCOL_RDP: _ClassVar[Capability]
    CAPABILITY_RELAY: _ClassVar[Capability]

class ContainerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTAINER_STATE_UNSPECIFIED: _ClassVar[ContainerState]
    CONTAINER_STATE_CREATED: _ClassVar[ContainerState]
    CONTAINER_STATE_RUNNING: _ClassVar[ContainerState]
    CONTAINER_STATE_PAUSED: _ClassVar[ContainerState]
    CONTAINER_STATE_RESTARTING: _ClassVar[ContainerState]
    CONTAINER_STATE_REMOVING: _ClassVar[ContainerState]
    CONTAINER_STATE_EXITED: _ClassVar[ContainerState]
    CONTAINER_STATE_DEAD: _ClassVar[ContainerState]

class CommandErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMAND_ERROR_CODE_UNSPECIFIED: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_INTERNAL: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_UNIMPLEMENTED: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_INVALID_ARGUMENT: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_DEADLINE_EXCEEDED: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_DRAINING: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_DOCKER_UNAVAILABLE: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_IMAGE_NOT_PRESENT: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_NETWORK_NOT_FOUND: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_INSUFFICIENT_RESOURCES: _ClassVar[CommandErrorCode]
    COMMAND_ERROR_CODE_CONTAINER_START_FAILED: _ClassVar[CommandErrorCode]

class CpuAllocationMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CPU_ALLOCATION_METHOD_UNSPECIFIED: _ClassVar[CpuAllocationMethod]
    CPU_ALLOCATION_METHOD_SHARES: _ClassVar[CpuAllocationMethod]
    CPU_ALLOCATION_METHOD_QUOTA: _ClassVar[CpuAllocationMethod]

class DestroyReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DESTROY_REASON_UNSPECIFIED: _ClassVar[DestroyReason]
    DESTROY_REASON_USER_REQUESTED: _ClassVar[DestroyReason]
    DESTROY_REASON_ADMIN_REQUESTED: _ClassVar[DestroyReason]
    DESTROY_REASON_IDLE_TIMEOUT: _ClassVar[DestroyReason]
    DESTROY_REASON_LIFETIME_EXPIRED: _ClassVar[DestroyReason]
    DESTROY_REASON_LAUNCH_FAILED: _ClassVar[DestroyReason]

class GoodbyeReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOODBYE_REASON_UNSPECIFIED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_REPLACED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_SERVER_SHUTDOWN: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_LEASE_EXPIRED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_AGENT_DELETED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_PROTOCOL_ERROR: _ClassVar[GoodbyeReason]

class PullPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PULL_POLICY_UNSPECIFIED: _ClassVar[PullPolicy]
    PULL_POLICY_IF_NOT_PRESENT: _ClassVar[PullPolicy]
    PULL_POLICY_REFRESH: _ClassVar[PullPolicy]
    PULL_POLICY_NEVER: _ClassVar[PullPolicy]

class PruneMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRUNE_MODE_UNSPECIFIED: _ClassVar[PruneMode]
    PRUNE_MODE_OFF: _ClassVar[PruneMode]
    PRUNE_MODE_NORMAL: _ClassVar[PruneMode]
    PRUNE_MODE_AGGRESSIVE: _ClassVar[PruneMode]

class PullState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PULL_STATE_UNSPECIFIED: _ClassVar[PullState]
    PULL_STATE_QUEUED: _ClassVar[PullState]
    PULL_STATE_PULLING: _ClassVar[PullState]
    PULL_STATE_PRESENT: _ClassVar[PullState]
    PULL_STATE_FAILED: _ClassVar[PullState]
AGENT_ROLE_UNSPECIFIED: AgentRole
AGENT_ROLE_AGENT: AgentRole
AGENT_ROLE_CONNECTION_PROXY: AgentRole
AGENT_ROLE_DEDICATED_PROXY: AgentRole
CAPABILITY_UNSPECIFIED: Capability
CAPABILITY_SESSION_CONTAINERS: Capability
CAPABILITY_IMAGE_SYNC: Capability
CAPABILITY_GPU: Capability
CAPABILITY_CPU_QUOTA: Capability
CAPABILITY_DIRECT_TO_AGENT: Capability
CAPABILITY_PROTOCOL_VNC: Capability
CAPABILITY_PROTOCOL_SSH: Capability
CAPABILITY_PROTOCOL_RDP: Capability
CAPABILITY_RELAY: Capability
CONTAINER_STATE_UNSPECIFIED: ContainerState
CONTAINER_STATE_CREATED: ContainerState
CONTAINER_STATE_RUNNING: ContainerState
CONTAINER_STATE_PAUSED: ContainerState
CONTAINER_STATE_RESTARTING: ContainerState
CONTAINER_STATE_REMOVING: ContainerState
CONTAINER_STATE_EXITED: ContainerState
CONTAINER_STATE_DEAD: ContainerState
COMMAND_ERROR_CODE_UNSPECIFIED: CommandErrorCode
COMMAND_ERROR_CODE_INTERNAL: CommandErrorCode
COMMAND_ERROR_CODE_UNIMPLEMENTED: CommandErrorCode
COMMAND_ERROR_CODE_INVALID_ARGUMENT: CommandErrorCode
COMMAND_ERROR_CODE_DEADLINE_EXCEEDED: CommandErrorCode
COMMAND_ERROR_CODE_DRAINING: CommandErrorCode
COMMAND_ERROR_CODE_DOCKER_UNAVAILABLE: CommandErrorCode
COMMAND_ERROR_CODE_IMAGE_NOT_PRESENT: CommandErrorCode
COMMAND_ERROR_CODE_NETWORK_NOT_FOUND: CommandErrorCode
COMMAND_ERROR_CODE_INSUFFICIENT_RESOURCES: CommandErrorCode
COMMAND_ERROR_CODE_CONTAINER_START_FAILED: CommandErrorCode
CPU_ALLOCATION_METHOD_UNSPECIFIED: CpuAllocationMethod
CPU_ALLOCATION_METHOD_SHARES: CpuAllocationMethod
CPU_ALLOCATION_METHOD_QUOTA: CpuAllocationMethod
DESTROY_REASON_UNSPECIFIED: DestroyReason
DESTROY_REASON_USER_REQUESTED: DestroyReason
DESTROY_REASON_ADMIN_REQUESTED: DestroyReason
DESTROY_REASON_IDLE_TIMEOUT: DestroyReason
DESTROY_REASON_LIFETIME_EXPIRED: DestroyReason
DESTROY_REASON_LAUNCH_FAILED: DestroyReason
GOODBYE_REASON_UNSPECIFIED: GoodbyeReason
GOODBYE_REASON_REPLACED: GoodbyeReason
GOODBYE_REASON_SERVER_SHUTDOWN: GoodbyeReason
GOODBYE_REASON_LEASE_EXPIRED: GoodbyeReason
GOODBYE_REASON_AGENT_DELETED: GoodbyeReason
GOODBYE_REASON_PROTOCOL_ERROR: GoodbyeReason
PULL_POLICY_UNSPECIFIED: PullPolicy
PULL_POLICY_IF_NOT_PRESENT: PullPolicy
PULL_POLICY_REFRESH: PullPolicy
PULL_POLICY_NEVER: PullPolicy
PRUNE_MODE_UNSPECIFIED: PruneMode
PRUNE_MODE_OFF: PruneMode
PRUNE_MODE_NORMAL: PruneMode
PRUNE_MODE_AGGRESSIVE: PruneMode
PULL_STATE_UNSPECIFIED: PullState
PULL_STATE_QUEUED: PullState
PULL_STATE_PULLING: PullState
PULL_STATE_PRESENT: PullState
PULL_STATE_FAILED: PullState

class IssuedCertificate(_message.Message):
    __slots__ = ("certificate_pem", "ca_bundle_pem", "expire_time", "renew_time", "serial_number")
    CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    CA_BUNDLE_PEM_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RENEW_TIME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    certificate_pem: str
    ca_bundle_pem: str
    expire_time: _timestamp_pb2.Timestamp
    renew_time: _timestamp_pb2.Timestamp
    serial_number: str
    def __init__(self, certificate_pem: _Optional[str] = ..., ca_bundle_pem: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., renew_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., serial_number: _Optional[str] = ...) -> None: ...

class EnrollRequest(_message.Message):
    __slots__ = ("enrollment_token", "csr_pem", "hostname", "role", "version", "request_id")
    ENROLLMENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CSR_PEM_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    enrollment_token: str
    csr_pem: str
    hostname: str
    role: AgentRole
    version: str
    request_id: str
    def __init__(self, enrollment_token: _Optional[str] = ..., csr_pem: _Optional[str] = ..., hostname: _Optional[str] = ..., role: _Optional[_Union[AgentRole, str]] = ..., version: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EnrollResponse(_message.Message):
    __slots__ = ("agent_id", "certificate")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    certificate: IssuedCertificate
    def __init__(self, agent_id: _Optional[str] = ..., certificate: _Optional[_Union[IssuedCertificate, _Mapping]] = ...) -> None: ...

class RenewCertificateRequest(_message.Message):
    __slots__ = ("csr_pem",)
    CSR_PEM_FIELD_NUMBER: _ClassVar[int]
    csr_pem: str
    def __init__(self, csr_pem: _Optional[str] = ...) -> None: ...

class RenewCertificateResponse(_message.Message):
    __slots__ = ("certificate",)
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    certificate: IssuedCertificate
    def __init__(self, certificate: _Optional[_Union[IssuedCertificate, _Mapping]] = ...) -> None: ...

class CheckInRequest(_message.Message):
    __slots__ = ("hello", "heartbeat", "resource_report", "command_ack", "command_result")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_REPORT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ACK_FIELD_NUMBER: _ClassVar[int]
    COMMAND_RESULT_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    heartbeat: Heartbeat
    resource_report: ResourceReport
    command_ack: CommandAck
    command_result: CommandResult
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., resource_report: _Optional[_Union[ResourceReport, _Mapping]] = ..., command_ack: _Optional[_Union[CommandAck, _Mapping]] = ..., command_result: _Optional[_Union[CommandResult, _Mapping]] = ...) -> None: ...

class CheckInResponse(_message.Message):
    __slots__ = ("welcome", "command", "goodbye")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    GOODBYE_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    command: Command
    goodbye: Goodbye
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., command: _Optional[_Union[Command, _Mapping]] = ..., goodbye: _Optional[_Union[Goodbye, _Mapping]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("agent_id", "instance_id", "version", "capabilities", "advertise_url")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    ADVERTISE_URL_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    instance_id: str
    version: str
    capabilities: _containers.RepeatedScalarFieldContainer[Capability]
    advertise_url: str
    def __init__(self, agent_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., version: _Optional[str] = ..., capabilities: _Optional[_Iterable[_Union[Capability, str]]] = ..., advertise_url: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("sequence", "agent_time")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    AGENT_TIME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    agent_time: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., agent_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LocalImage(_message.Message):
    __slots__ = ("reference", "image_id", "digest", "size_bytes")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    reference: str
    image_id: str
    digest: str
    size_bytes: int
    def __init__(self, reference: _Optional[str] = ..., image_id: _Optional[str] = ..., digest: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class SessionContainer(_message.Message):
    __slots__ = ("container_id", "session_id", "state", "host_port", "create_time")
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    container_id: str
    session_id: str
    state: ContainerState
    host_port: int
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, container_id: _Optional[str] = ..., session_id: _Optional[str] = ..., state: _Optional[_Union[ContainerState, str]] = ..., host_port: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResourceReport(_message.Message):
    __slots__ = ("report_time", "hostname", "os", "arch", "cores", "memory_bytes", "gpus", "docker_version", "networks", "images", "session_containers", "disk_free_bytes")
    REPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    ARCH_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    DOCKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    SESSION_CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    report_time: _timestamp_pb2.Timestamp
    hostname: str
    os: str
    arch: str
    cores: float
    memory_bytes: int
    gpus: int
    docker_version: str
    networks: _containers.RepeatedScalarFieldContainer[str]
    images: _containers.RepeatedCompositeFieldContainer[LocalImage]
    session_containers: _containers.RepeatedCompositeFieldContainer[SessionContainer]
    disk_free_bytes: int
    def __init__(self, report_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hostname: _Optional[str] = ..., os: _Optional[str] = ..., arch: _Optional[str] = ..., cores: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., gpus: _Optional[int] = ..., docker_version: _Optional[str] = ..., networks: _Optional[_Iterable[str]] = ..., images: _Optional[_Iterable[_Union[LocalImage, _Mapping]]] = ..., session_containers: _Optional[_Iterable[_Union[SessionContainer, _Mapping]]] = ..., disk_free_bytes: _Optional[int] = ...) -> None: ...

class CommandAck(_message.Message):
    __slots__ = ("sequence", "receive_time", "duplicate")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    receive_time: _timestamp_pb2.Timestamp
    duplicate: bool
    def __init__(self, sequence: _Optional[int] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duplicate: bool = ...) -> None: ...

class CommandError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: CommandErrorCode
    message: str
    def __init__(self, code: _Optional[_Union[CommandErrorCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class CreateSessionContainerResult(_message.Message):
    __slots__ = ("container_id", "host_port", "image_id", "already_existed")
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ALREADY_EXISTED_FIELD_NUMBER: _ClassVar[int]
    container_id: str
    host_port: int
    image_id: str
    already_existed: bool
    def __init__(self, container_id: _Optional[str] = ..., host_port: _Optional[int] = ..., image_id: _Optional[str] = ..., already_existed: bool = ...) -> None: ...

class DestroySessionContainerResult(_message.Message):
    __slots__ = ("already_absent",)
    ALREADY_ABSENT_FIELD_NUMBER: _ClassVar[int]
    already_absent: bool
    def __init__(self, already_absent: bool = ...) -> None: ...

class RemovedContainer(_message.Message):
    __slots__ = ("container_id", "session_id")
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    container_id: str
    session_id: str
    def __init__(self, container_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class ReconcileResult(_message.Message):
    __slots__ = ("removed", "missing_session_ids")
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    MISSING_SESSION_IDS_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedCompositeFieldContainer[RemovedContainer]
    missing_session_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, removed: _Optional[_Iterable[_Union[RemovedContainer, _Mapping]]] = ..., missing_session_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DrainResult(_message.Message):
    __slots__ = ("running_session_containers",)
    RUNNING_SESSION_CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    running_session_containers: int
    def __init__(self, running_session_containers: _Optional[int] = ...) -> None: ...

class CommandResult(_message.Message):
    __slots__ = ("sequence", "create_session_container", "destroy_session_container", "reconcile", "drain", "error")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CREATE_SESSION_CONTAINER_FIELD_NUMBER: _ClassVar[int]
    DESTROY_SESSION_CONTAINER_FIELD_NUMBER: _ClassVar[int]
    RECONCILE_FIELD_NUMBER: _ClassVar[int]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    create_session_container: CreateSessionContainerResult
    destroy_session_container: DestroySessionContainerResult
    reconcile: ReconcileResult
    drain: DrainResult
    error: CommandError
    def __init__(self, sequence: _Optional[int] = ..., create_session_container: _Optional[_Union[CreateSessionContainerResult, _Mapping]] = ..., destroy_session_container: _Optional[_Union[DestroySessionContainerResult, _Mapping]] = ..., reconcile: _Optional[_Union[ReconcileResult, _Mapping]] = ..., drain: _Optional[_Union[DrainResult, _Mapping]] = ..., error: _Optional[_Union[CommandError, _Mapping]] = ...) -> None: ...

class KeepaliveSettings(_message.Message):
    __slots__ = ("time", "timeout")
    TIME_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    time: _duration_pb2.Duration
    timeout: _duration_pb2.Duration
    def __init__(self, time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("server_id", "server_time", "heartbeat_interval", "heartbeat_jitter", "lease_ttl", "resource_report_interval", "keepalive", "last_acked_command_sequence", "draining")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_TIME_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_JITTER_FIELD_NUMBER: _ClassVar[int]
    LEASE_TTL_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_REPORT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_FIELD_NUMBER: _ClassVar[int]
    LAST_ACKED_COMMAND_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DRAINING_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    server_time: _timestamp_pb2.Timestamp
    heartbeat_interval: _duration_pb2.Duration
    heartbeat_jitter: float
    lease_ttl: _duration_pb2.Duration
    resource_report_interval: _duration_pb2.Duration
    keepalive: KeepaliveSettings
    last_acked_command_sequence: int
    draining: bool
    def __init__(self, server_id: _Optional[str] = ..., server_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., heartbeat_jitter: _Optional[float] = ..., lease_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., resource_report_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., keepalive: _Optional[_Union[KeepaliveSettings, _Mapping]] = ..., last_acked_command_sequence: _Optional[int] = ..., draining: bool = ...) -> None: ...

class VolumeMount(_message.Message):
    __slots__ = ("host_path", "container_path", "read_only")
    HOST_PATH_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    host_path: str
    container_path: str
    read_only: bool
    def __init__(self, host_path: _Optional[str] = ..., container_path: _Optional[str] = ..., read_only: bool = ...) -> None: ...

class CreateSessionContainer(_message.Message):
    __slots__ = ("session_id", "image_reference", "env", "cores", "cpu_allocation_method", "memory_bytes", "gpus", "network", "volume_mounts", "run_config_override_json", "labels", "container_port")
    class EnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    CPU_ALLOCATION_METHOD_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    VOLUME_MOUNTS_FIELD_NUMBER: _ClassVar[int]
    RUN_CONFIG_OVERRIDE_JSON_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image_reference: str
    env: _containers.ScalarMap[str, str]
    cores: float
    cpu_allocation_method: CpuAllocationMethod
    memory_bytes: int
    gpus: int
    network: str
    volume_mounts: _containers.RepeatedCompositeFieldContainer[VolumeMount]
    run_config_override_json: str
    labels: _containers.ScalarMap[str, str]
    container_port: int
    def __init__(self, session_id: _Optional[str] = ..., image_reference: _Optional[str] = ..., env: _Optional[_Mapping[str, str]] = ..., cores: _Optional[float] = ..., cpu_allocation_method: _Optional[_Union[CpuAllocationMethod, str]] = ..., memory_bytes: _Optional[int] = ..., gpus: _Optional[int] = ..., network: _Optional[str] = ..., volume_mounts: _Optional[_Iterable[_Union[VolumeMount, _Mapping]]] = ..., run_config_override_json: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., container_port: _Optional[int] = ...) -> None: ...

class DestroySessionContainer(_message.Message):
    __slots__ = ("session_id", "container_id", "reason", "stop_timeout")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STOP_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    container_id: str
    reason: DestroyReason
    stop_timeout: _duration_pb2.Duration
    def __init__(self, session_id: _Optional[str] = ..., container_id: _Optional[str] = ..., reason: _Optional[_Union[DestroyReason, str]] = ..., stop_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Reconcile(_message.Message):
    __slots__ = ("session_ids",)
    SESSION_IDS_FIELD_NUMBER: _ClassVar[int]
    session_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Drain(_message.Message):
    __slots__ = ("cancel", "reason")
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    cancel: bool
    reason: str
    def __init__(self, cancel: bool = ..., reason: _Optional[str] = ...) -> None: ...

class Command(_message.Message):
    __slots__ = ("sequence", "deadline", "create_session_container", "destroy_session_container", "reconcile", "drain")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    CREATE_SESSION_CONTAINER_FIELD_NUMBER: _ClassVar[int]
    DESTROY_SESSION_CONTAINER_FIELD_NUMBER: _ClassVar[int]
    RECONCILE_FIELD_NUMBER: _ClassVar[int]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    deadline: _timestamp_pb2.Timestamp
    create_session_container: CreateSessionContainer
    destroy_session_container: DestroySessionContainer
    reconcile: Reconcile
    drain: Drain
    def __init__(self, sequence: _Optional[int] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_session_container: _Optional[_Union[CreateSessionContainer, _Mapping]] = ..., destroy_session_container: _Optional[_Union[DestroySessionContainer, _Mapping]] = ..., reconcile: _Optional[_Union[Reconcile, _Mapping]] = ..., drain: _Optional[_Union[Drain, _Mapping]] = ...) -> None: ...

class Goodbye(_message.Message):
    __slots__ = ("reason", "message", "reconnect_after")
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RECONNECT_AFTER_FIELD_NUMBER: _ClassVar[int]
    reason: GoodbyeReason
    message: str
    reconnect_after: _duration_pb2.Duration
    def __init__(self, reason: _Optional[_Union[GoodbyeReason, str]] = ..., message: _Optional[str] = ..., reconnect_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SyncImagesRequest(_message.Message):
    __slots__ = ("inventory", "pull_progress")
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    PULL_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    inventory: ImageInventory
    pull_progress: PullProgress
    def __init__(self, inventory: _Optional[_Union[ImageInventory, _Mapping]] = ..., pull_progress: _Optional[_Union[PullProgress, _Mapping]] = ...) -> None: ...

class SyncImagesResponse(_message.Message):
    __slots__ = ("desired_images",)
    DESIRED_IMAGES_FIELD_NUMBER: _ClassVar[int]
    desired_images: DesiredImages
    def __init__(self, desired_images: _Optional[_Union[DesiredImages, _Mapping]] = ...) -> None: ...

class RegistryCredentials(_message.Message):
    __slots__ = ("username", "password")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    username: str
    password: str
    def __init__(self, username: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class DesiredImage(_message.Message):
    __slots__ = ("workspace_id", "image_reference", "registry", "credentials", "network", "pull_policy")
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    PULL_POLICY_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    image_reference: str
    registry: str
    credentials: RegistryCredentials
    network: str
    pull_policy: PullPolicy
    def __init__(self, workspace_id: _Optional[str] = ..., image_reference: _Optional[str] = ..., registry: _Optional[str] = ..., credentials: _Optional[_Union[RegistryCredentials, _Mapping]] = ..., network: _Optional[str] = ..., pull_policy: _Optional[_Union[PullPolicy, str]] = ...) -> None: ...

class DesiredImages(_message.Message):
    __slots__ = ("generation", "images", "refresh_interval", "prune_mode", "max_concurrent_pulls")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    REFRESH_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    PRUNE_MODE_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_PULLS_FIELD_NUMBER: _ClassVar[int]
    generation: int
    images: _containers.RepeatedCompositeFieldContainer[DesiredImage]
    refresh_interval: _duration_pb2.Duration
    prune_mode: PruneMode
    max_concurrent_pulls: int
    def __init__(self, generation: _Optional[int] = ..., images: _Optional[_Iterable[_Union[DesiredImage, _Mapping]]] = ..., refresh_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., prune_mode: _Optional[_Union[PruneMode, str]] = ..., max_concurrent_pulls: _Optional[int] = ...) -> None: ...

class PresentImage(_message.Message):
    __slots__ = ("reference", "digest", "image_id", "size_bytes", "pull_time")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    PULL_TIME_FIELD_NUMBER: _ClassVar[int]
    reference: str
    digest: str
    image_id: str
    size_bytes: int
    pull_time: _timestamp_pb2.Timestamp
    def __init__(self, reference: _Optional[str] = ..., digest: _Optional[str] = ..., image_id: _Optional[str] = ..., size_bytes: _Optional[int] = ..., pull_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ImageInventory(_message.Message):
    __slots__ = ("generation", "images")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    generation: int
    images: _containers.RepeatedCompositeFieldContainer[PresentImage]
    def __init__(self, generation: _Optional[int] = ..., images: _Optional[_Iterable[_Union[PresentImage, _Mapping]]] = ...) -> None: ...

class PullProgress(_message.Message):
    __slots__ = ("reference", "generation", "state", "layers_done", "layers_total", "bytes_done", "bytes_total", "digest", "error_message")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LAYERS_DONE_FIELD_NUMBER: _ClassVar[int]
    LAYERS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    BYTES_DONE_FIELD_NUMBER: _ClassVar[int]
    BYTES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    reference: str
    generation: int
    state: PullState
    layers_done: int
    layers_total: int
    bytes_done: int
    bytes_total: int
    digest: str
    error_message: str
    def __init__(self, reference: _Optional[str] = ..., generation: _Optional[int] = ..., state: _Optional[_Union[PullState, str]] = ..., layers_done: _Optional[int] = ..., layers_total: _Optional[int] = ..., bytes_done: _Optional[int] = ..., bytes_total: _Optional[int] = ..., digest: _Optional[str] = ..., error_message: _Optional[str] = ...) -> None: ...
