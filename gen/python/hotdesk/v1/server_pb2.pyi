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

class ConnectionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTION_TYPE_UNSPECIFIED: _ClassVar[ConnectionType]
    CONNECTION_TYPE_RDP: _ClassVar[ConnectionType]
    CONNECTION_TYPE_VNC: _ClassVar[ConnectionType]
    CONNECTION_TYPE_SSH: _ClassVar[ConnectionType]
    CONNECTION_TYPE_HOTDESK_VNC: _ClassVar[ConnectionType]
CONNECTION_TYPE_UNSPECIFIED: ConnectionType
CONNECTION_TYPE_RDP: ConnectionType
CONNECTION_TYPE_VNC: ConnectionType
CONNECTION_TYPE_SSH: ConnectionType
CONNECTION_TYPE_HOTDESK_VNC: ConnectionType

class Server(_message.Message):
    __slots__ = ("id", "name", "description", "hostname", "port", "connection_type", "connection_username", "connection_password", "has_connection_password", "connection_info_json", "max_simultaneous_sessions", "zone_id", "pool_id", "enabled", "reusable", "auto_scale_config_id", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_USERNAME_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    HAS_CONNECTION_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_INFO_JSON_FIELD_NUMBER: _ClassVar[int]
    MAX_SIMULTANEOUS_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    REUSABLE_FIELD_NUMBER: _ClassVar[int]
    AUTO_SCALE_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    hostname: str
    port: int
    connection_type: ConnectionType
    connection_username: str
    connection_password: str
    has_connection_password: bool
    connection_info_json: str
    max_simultaneous_sessions: int
    zone_id: str
    pool_id: str
    enabled: bool
    reusable: bool
    auto_scale_config_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., hostname: _Optional[str] = ..., port: _Optional[int] = ..., connection_type: _Optional[_Union[ConnectionType, str]] = ..., connection_username: _Optional[str] = ..., connection_password: _Optional[str] = ..., has_connection_password: bool = ..., connection_info_json: _Optional[str] = ..., max_simultaneous_sessions: _Optional[int] = ..., zone_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., enabled: bool = ..., reusable: bool = ..., auto_scale_config_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateServerRequest(_message.Message):
    __slots__ = ("server", "request_id")
    SERVER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    server: Server
    request_id: str
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetServerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListServersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "zone_id", "pool_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    zone_id: str
    pool_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., zone_id: _Optional[str] = ..., pool_id: _Optional[str] = ...) -> None: ...

class ListServersResponse(_message.Message):
    __slots__ = ("servers", "next_page_token")
    SERVERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    servers: _containers.RepeatedCompositeFieldContainer[Server]
    next_page_token: str
    def __init__(self, servers: _Optional[_Iterable[_Union[Server, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateServerRequest(_message.Message):
    __slots__ = ("server", "update_mask")
    SERVER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    server: Server
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteServerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateServerResponse(_message.Message):
    __slots__ = ("server",)
    SERVER_FIELD_NUMBER: _ClassVar[int]
    server: Server
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ...) -> None: ...

class GetServerResponse(_message.Message):
    __slots__ = ("server",)
    SERVER_FIELD_NUMBER: _ClassVar[int]
    server: Server
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ...) -> None: ...

class UpdateServerResponse(_message.Message):
    __slots__ = ("server",)
    SERVER_FIELD_NUMBER: _ClassVar[int]
    server: Server
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ...) -> None: ...

class DeleteServerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
