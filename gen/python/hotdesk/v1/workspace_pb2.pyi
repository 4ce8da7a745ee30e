import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkspaceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKSPACE_KIND_UNSPECIFIED: _ClassVar[WorkspaceKind]
    WORKSPACE_KIND_CONTAINER: _ClassVar[WorkspaceKind]
    WORKSPACE_KIND_SERVER: _ClassVar[WorkspaceKind]
    WORKSPACE_KIND_SERVER_POOL: _ClassVar[WorkspaceKind]
    WORKSPACE_KIND_LINK: _ClassVar[WorkspaceKind]

class CpuAllocationMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CPU_ALLOCATION_METHOD_UNSPECIFIED: _ClassVar[CpuAllocationMethod]
    CPU_ALLOCATION_METHOD_INHERIT: _ClassVar[CpuAllocationMethod]
    CPU_ALLOCATION_METHOD_SHARES: _ClassVar[CpuAllocationMethod]
    CPU_ALLOCATION_METHOD_QUOTA: _ClassVar[CpuAllocationMethod]

class ImageState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_STATE_UNSPECIFIED: _ClassVar[ImageState]
    IMAGE_STATE_QUEUED: _ClassVar[ImageState]
    IMAGE_STATE_PULLING: _ClassVar[ImageState]
    IMAGE_STATE_PRESENT: _ClassVar[ImageState]
    IMAGE_STATE_FAILED: _ClassVar[ImageState]
    IMAGE_STATE_ABSENT: _ClassVar[ImageState]
WORKSPACE_KIND_UNSPECIFIED: WorkspaceKind
WORKSPACE_KIND_CONTAINER: WorkspaceKind
WORKSPACE_KIND_SERVER: WorkspaceKind
WORKSPACE_KIND_SERVER_POOL: WorkspaceKind
WORKSPACE_KIND_LINK: WorkspaceKind
CPU_ALLOCATION_METHOD_UNSPECIFIED: CpuAllocationMethod
CPU_ALLOCATION_METHOD_INHERIT: CpuAllocationMethod
CPU_ALLOCATION_METHOD_SHARES: CpuAllocationMethod
CPU_ALLOCATION_METHOD_QUOTA: CpuAllocationMethod
IMAGE_STATE_UNSPECIFIED: ImageState
IMAGE_STATE_QUEUED: ImageState
IMAGE_STATE_PULLING: ImageState
IMAGE_STATE_PRESENT: ImageState
IMAGE_STATE_FAILED: ImageState
IMAGE_STATE_ABSENT: ImageState

class VolumeMapping(_message.Message):
    __slots__ = ("host_path", "container_path", "read_only")
    HOST_PATH_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_PATH_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    host_path: str
    container_path: str
    read_only: bool
    def __init__(self, host_path: _Optional[str] = ..., container_path: _Optional[str] = ..., read_only: bool = ...) -> None: ...

class ContainerSpec(_message.Message):
    __slots__ = ("image", "registry", "registry_username", "registry_password", "has_registry_password", "cores", "memory_mb", "gpus", "cpu_allocation_method", "docker_run_config_override", "docker_network", "volume_mappings")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_USERNAME_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    HAS_REGISTRY_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    CPU_ALLOCATION_METHOD_FIELD_NUMBER: _ClassVar[int]
    DOCKER_RUN_CONFIG_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    DOCKER_NETWORK_FIELD_NUMBER: _ClassVar[int]
    VOLUME_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    image: str
    registry: str
    registry_username: str
    registry_password: str
    has_registry_password: bool
    cores: float
    memory_mb: int
    gpus: int
    cpu_allocation_method: CpuAllocationMethod
    docker_run_config_override: str
    docker_network: str
    volume_mappings: _containers.RepeatedCompositeFieldContainer[VolumeMapping]
    def __init__(self, image: _Optional[str] = ..., registry: _Optional[str] = ..., registry_username: _Optional[str] = ..., registry_password: _Optional[str] = ..., has_registry_password: bool = ..., cores: _Optional[float] = ..., memory_mb: _Optional[int] = ..., gpus: _Optional[int] = ..., cpu_allocation_method: _Optional[_Union[CpuAllocationMethod, str]] = ..., docker_run_config_override: _Optional[str] = ..., docker_network: _Optional[str] = ..., volume_mappings: _Optional[_Iterable[_Union[VolumeMapping, _Mapping]]] = ...) -> None: ...

class Workspace(_message.Message):
    __slots__ = ("id", "name", "description", "thumbnail_url", "kind", "enabled", "container", "server_id", "server_pool_id", "link_url", "zone_ids", "idle_timeout_seconds", "max_lifetime_seconds", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_POOL_ID_FIELD_NUMBER: _ClassVar[int]
    LINK_URL_FIELD_NUMBER: _ClassVar[int]
    ZONE_IDS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_LIFETIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    thumbnail_url: str
    kind: WorkspaceKind
    enabled: bool
    container: ContainerSpec
    server_id: str
    server_pool_id: str
    link_url: str
    zone_ids: _containers.RepeatedScalarFieldContainer[str]
    idle_timeout_seconds: int
    max_lifetime_seconds: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., thumbnail_url: _Optional[str] = ..., kind: _Optional[_Union[WorkspaceKind, str]] = ..., enabled: bool = ..., container: _Optional[_Union[ContainerSpec, _Mapping]] = ..., server_id: _Optional[str] = ..., server_pool_id: _Optional[str] = ..., link_url: _Optional[str] = ..., zone_ids: _Optional[_Iterable[str]] = ..., idle_timeout_seconds: _Optional[int] = ..., max_lifetime_seconds: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWorkspaceRequest(_message.Message):
    __slots__ = ("workspace", "request_id")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    workspace: Workspace
    request_id: str
    def __init__(self, workspace: _Optional[_Union[Workspace, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetWorkspaceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListWorkspacesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWorkspacesResponse(_message.Message):
    __slots__ = ("workspaces", "next_page_token")
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    workspaces: _containers.RepeatedCompositeFieldContainer[Workspace]
    next_page_token: str
    def __init__(self, workspaces: _Optional[_Iterable[_Union[Workspace, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateWorkspaceRequest(_message.Message):
    __slots__ = ("workspace", "update_mask")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    workspace: Workspace
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, workspace: _Optional[_Union[Workspace, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteWorkspaceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateWorkspaceResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: Workspace
    def __init__(self, workspace: _Optional[_Union[Workspace, _Mapping]] = ...) -> None: ...

class GetWorkspaceResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: Workspace
    def __init__(self, workspace: _Optional[_Union[Workspace, _Mapping]] = ...) -> None: ...

class UpdateWorkspaceResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: Workspace
    def __init__(self, workspace: _Optional[_Union[Workspace, _Mapping]] = ...) -> None: ...

class DeleteWorkspaceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ImageStatus(_message.Message):
    __slots__ = ("workspace_id", "agent_id", "image_reference", "state", "present", "layers_done", "layers_total", "bytes_done", "bytes_total", "digest", "image_id", "error", "pull_time", "update_time")
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    LAYERS_DONE_FIELD_NUMBER: _ClassVar[int]
    LAYERS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    BYTES_DONE_FIELD_NUMBER: _ClassVar[int]
    BYTES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PULL_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    agent_id: str
    image_reference: str
    state: ImageState
    present: bool
    layers_done: int
    layers_total: int
    bytes_done: int
    bytes_total: int
    digest: str
    image_id: str
    error: str
    pull_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, workspace_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., image_reference: _Optional[str] = ..., state: _Optional[_Union[ImageState, str]] = ..., present: bool = ..., layers_done: _Optional[int] = ..., layers_total: _Optional[int] = ..., bytes_done: _Optional[int] = ..., bytes_total: _Optional[int] = ..., digest: _Optional[str] = ..., image_id: _Optional[str] = ..., error: _Optional[str] = ..., pull_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListImageStatusesRequest(_message.Message):
    __slots__ = ("workspace_id", "agent_id", "page_size", "page_token")
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    agent_id: str
    page_size: int
    page_token: str
    def __init__(self, workspace_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImageStatusesResponse(_message.Message):
    __slots__ = ("image_statuses", "next_page_token")
    IMAGE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    image_statuses: _containers.RepeatedCompositeFieldContainer[ImageStatus]
    next_page_token: str
    def __init__(self, image_statuses: _Optional[_Iterable[_Union[ImageStatus, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
