import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from hotdesk.v1 import server_pb2 as _server_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PoolType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POOL_TYPE_UNSPECIFIED: _ClassVar[PoolType]
    POOL_TYPE_DOCKER_AGENT: _ClassVar[PoolType]
    POOL_TYPE_SERVER: _ClassVar[PoolType]

class AzureAuthority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AZURE_AUTHORITY_UNSPECIFIED: _ClassVar[AzureAuthority]
    AZURE_AUTHORITY_PUBLIC: _ClassVar[AzureAuthority]
    AZURE_AUTHORITY_GOVERNMENT: _ClassVar[AzureAuthority]
    AZURE_AUTHORITY_CHINA: _ClassVar[AzureAuthority]
    AZURE_AUTHORITY_GERMANY: _ClassVar[AzureAuthority]
POOL_TYPE_UNSPECIFIED: PoolType
POOL_TYPE_DOCKER_AGENT: PoolType
POOL_TYPE_SERVER: PoolType
AZURE_AUTHORITY_UNSPECIFIED: AzureAuthority
AZURE_AUTHORITY_PUBLIC: AzureAuthority
AZURE_AUTHORITY_GOVERNMENT: AzureAuthority
AZURE_AUTHORITY_CHINA: AzureAuthority
AZURE_AUTHORITY_GERMANY: AzureAuthority

class Pool(_message.Message):
    __slots__ = ("id", "name", "description", "type", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    type: PoolType
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., type: _Optional[_Union[PoolType, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PoolMember(_message.Message):
    __slots__ = ("id", "name", "zone_id", "enabled", "auto_scale_config_id", "add_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    AUTO_SCALE_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    ADD_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    zone_id: str
    enabled: bool
    auto_scale_config_id: str
    add_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., zone_id: _Optional[str] = ..., enabled: bool = ..., auto_scale_config_id: _Optional[str] = ..., add_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreatePoolRequest(_message.Message):
    __slots__ = ("pool", "request_id")
    POOL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    pool: Pool
    request_id: str
    def __init__(self, pool: _Optional[_Union[Pool, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetPoolRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListPoolsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "type")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    type: PoolType
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., type: _Optional[_Union[PoolType, str]] = ...) -> None: ...

class ListPoolsResponse(_message.Message):
    __slots__ = ("pools", "next_page_token")
    POOLS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    pools: _containers.RepeatedCompositeFieldContainer[Pool]
    next_page_token: str
    def __init__(self, pools: _Optional[_Iterable[_Union[Pool, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdatePoolRequest(_message.Message):
    __slots__ = ("pool", "update_mask")
    POOL_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    pool: Pool
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, pool: _Optional[_Union[Pool, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeletePoolRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreatePoolResponse(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: Pool
    def __init__(self, pool: _Optional[_Union[Pool, _Mapping]] = ...) -> None: ...

class GetPoolResponse(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: Pool
    def __init__(self, pool: _Optional[_Union[Pool, _Mapping]] = ...) -> None: ...

class UpdatePoolResponse(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: Pool
    def __init__(self, pool: _Optional[_Union[Pool, _Mapping]] = ...) -> None: ...

class DeletePoolResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddPoolMembersRequest(_message.Message):
    __slots__ = ("id", "member_ids", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, id: _Optional[str] = ..., member_ids: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddPoolMembersResponse(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[PoolMember]
    def __init__(self, members: _Optional[_Iterable[_Union[PoolMember, _Mapping]]] = ...) -> None: ...

class RemovePoolMembersRequest(_message.Message):
    __slots__ = ("id", "member_ids", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, id: _Optional[str] = ..., member_ids: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemovePoolMembersResponse(_message.Message):
    __slots__ = ("removed_member_ids",)
    REMOVED_MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    removed_member_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, removed_member_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListPoolMembersRequest(_message.Message):
    __slots__ = ("id", "page_size", "page_token")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    id: str
    page_size: int
    page_token: str
    def __init__(self, id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPoolMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[PoolMember]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[PoolMember, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AutoScaleConfig(_message.Message):
    __slots__ = ("id", "name", "pool_id", "enabled", "zone_id", "vm_provider_config_id", "dns_provider_config_id", "docker_agent", "server", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    VM_PROVIDER_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    DNS_PROVIDER_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    DOCKER_AGENT_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    pool_id: str
    enabled: bool
    zone_id: str
    vm_provider_config_id: str
    dns_provider_config_id: str
    docker_agent: DockerAgentAutoScale
    server: ServerAutoScale
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., pool_id: _Optional[str] = ..., enabled: bool = ..., zone_id: _Optional[str] = ..., vm_provider_config_id: _Optional[str] = ..., dns_provider_config_id: _Optional[str] = ..., docker_agent: _Optional[_Union[DockerAgentAutoScale, _Mapping]] = ..., server: _Optional[_Union[ServerAutoScale, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DockerAgentAutoScale(_message.Message):
    __slots__ = ("standby_cores", "standby_gpus", "standby_memory_mb", "downscale_backoff_seconds", "agent_cores_override", "agent_gpus_override", "agent_memory_override_gb", "nginx_cert", "nginx_key", "has_nginx_key", "register_dns", "base_domain_name")
    STANDBY_CORES_FIELD_NUMBER: _ClassVar[int]
    STANDBY_GPUS_FIELD_NUMBER: _ClassVar[int]
    STANDBY_MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    DOWNSCALE_BACKOFF_SECONDS_FIELD_NUMBER: _ClassVar[int]
    AGENT_CORES_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    AGENT_GPUS_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    AGENT_MEMORY_OVERRIDE_GB_FIELD_NUMBER: _ClassVar[int]
    NGINX_CERT_FIELD_NUMBER: _ClassVar[int]
    NGINX_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_NGINX_KEY_FIELD_NUMBER: _ClassVar[int]
    REGISTER_DNS_FIELD_NUMBER: _ClassVar[int]
    BASE_DOMAIN_NAME_FIELD_NUMBER: _ClassVar[int]
    standby_cores: float
    standby_gpus: int
    standby_memory_mb: int
    downscale_backoff_seconds: int
    agent_cores_override: float
    agent_gpus_override: int
    agent_memory_override_gb: float
    nginx_cert: str
    nginx_key: str
    has_nginx_key: bool
    register_dns: bool
    base_domain_name: str
    def __init__(self, standby_cores: _Optional[float] = ..., standby_gpus: _Optional[int] = ..., standby_memory_mb: _Optional[int] = ..., downscale_backoff_seconds: _Optional[int] = ..., agent_cores_override: _Optional[float] = ..., agent_gpus_override: _Optional[int] = ..., agent_memory_override_gb: _Optional[float] = ..., nginx_cert: _Optional[str] = ..., nginx_key: _Optional[str] = ..., has_nginx_key: bool = ..., register_dns: bool = ..., base_domain_name: _Optional[str] = ...) -> None: ...

class ServerAutoScale(_message.Message):
    __slots__ = ("connection_type", "connection_port", "connection_username", "connection_password", "has_connection_password", "connection_info_json", "create_ad_computer_record", "ldap_config_id", "ad_computer_ou_dn", "reusable", "minimum_available_sessions", "max_simultaneous_sessions_per_server")
    CONNECTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_PORT_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_USERNAME_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    HAS_CONNECTION_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_INFO_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATE_AD_COMPUTER_RECORD_FIELD_NUMBER: _ClassVar[int]
    LDAP_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    AD_COMPUTER_OU_DN_FIELD_NUMBER: _ClassVar[int]
    REUSABLE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_AVAILABLE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_SIMULTANEOUS_SESSIONS_PER_SERVER_FIELD_NUMBER: _ClassVar[int]
    connection_type: _server_pb2.ConnectionType
    connection_port: int
    connection_username: str
    connection_password: str
    has_connection_password: bool
    connection_info_json: str
    create_ad_computer_record: bool
    ldap_config_id: str
    ad_computer_ou_dn: str
    reusable: bool
    minimum_available_sessions: int
    max_simultaneous_sessions_per_server: int
    def __init__(self, connection_type: _Optional[_Union[_server_pb2.ConnectionType, str]] = ..., connection_port: _Optional[int] = ..., connection_username: _Optional[str] = ..., connection_password: _Optional[str] = ..., has_connection_password: bool = ..., connection_info_json: _Optional[str] = ..., create_ad_computer_record: bool = ..., ldap_config_id: _Optional[str] = ..., ad_computer_ou_dn: _Optional[str] = ..., reusable: bool = ..., minimum_available_sessions: _Optional[int] = ..., max_simultaneous_sessions_per_server: _Optional[int] = ...) -> None: ...

class CreateAutoScaleConfigRequest(_message.Message):
    __slots__ = ("auto_scale_config", "request_id")
    AUTO_SCALE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    auto_scale_config: AutoScaleConfig
    request_id: str
    def __init__(self, auto_scale_config: _Optional[_Union[AutoScaleConfig, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetAutoScaleConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListAutoScaleConfigsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "pool_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    pool_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., pool_id: _Optional[str] = ...) -> None: ...

class ListAutoScaleConfigsResponse(_message.Message):
    __slots__ = ("auto_scale_configs", "next_page_token")
    AUTO_SCALE_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    auto_scale_configs: _containers.RepeatedCompositeFieldContainer[AutoScaleConfig]
    next_page_token: str
    def __init__(self, auto_scale_configs: _Optional[_Iterable[_Union[AutoScaleConfig, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAutoScaleConfigRequest(_message.Message):
    __slots__ = ("auto_scale_config", "update_mask")
    AUTO_SCALE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    auto_scale_config: AutoScaleConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, auto_scale_config: _Optional[_Union[AutoScaleConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteAutoScaleConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateAutoScaleConfigResponse(_message.Message):
    __slots__ = ("auto_scale_config",)
    AUTO_SCALE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    auto_scale_config: AutoScaleConfig
    def __init__(self, auto_scale_config: _Optional[_Union[AutoScaleConfig, _Mapping]] = ...) -> None: ...

class GetAutoScaleConfigResponse(_message.Message):
    __slots__ = ("auto_scale_config",)
    AUTO_SCALE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    auto_scale_config: AutoScaleConfig
    def __init__(self, auto_scale_config: _Optional[_Union[AutoScaleConfig, _Mapping]] = ...) -> None: ...

class UpdateAutoScaleConfigResponse(_message.Message):
    __slots__ = ("auto_scale_config",)
    AUTO_SCALE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    auto_scale_config: AutoScaleConfig
    def __init__(self, auto_scale_config: _Optional[_Union[AutoScaleConfig, _Mapping]] = ...) -> None: ...

class DeleteAutoScaleConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VmProviderConfig(_message.Message):
    __slots__ = ("id", "name", "aws", "azure", "digital_ocean", "gcp", "oci", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AWS_FIELD_NUMBER: _ClassVar[int]
    AZURE_FIELD_NUMBER: _ClassVar[int]
    DIGITAL_OCEAN_FIELD_NUMBER: _ClassVar[int]
    GCP_FIELD_NUMBER: _ClassVar[int]
    OCI_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    aws: AwsVmProvider
    azure: AzureVmProvider
    digital_ocean: DigitalOceanVmProvider
    gcp: GcpVmProvider
    oci: OciVmProvider
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., aws: _Optional[_Union[AwsVmProvider, _Mapping]] = ..., azure: _Optional[_Union[AzureVmProvider, _Mapping]] = ..., digital_ocean: _Optional[_Union[DigitalOceanVmProvider, _Mapping]] = ..., gcp: _Optional[_Union[GcpVmProvider, _Mapping]] = ..., oci: _Optional[_Union[OciVmProvider, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AwsVmProvider(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "has_secret_access_key", "region", "ami_id", "instance_type", "max_instances", "security_group_ids", "subnet_id", "ebs_volume_size_gb", "ebs_volume_type", "iam_instance_profile", "custom_tags", "startup_script", "ssh_key_name")
    class CustomTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    AMI_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MAX_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    EBS_VOLUME_SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    EBS_VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    IAM_INSTANCE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_TAGS_FIELD_NUMBER: _ClassVar[int]
    STARTUP_SCRIPT_FIELD_NUMBER: _ClassVar[int]
    SSH_KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    has_secret_access_key: bool
    region: str
    ami_id: str
    instance_type: str
    max_instances: int
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    subnet_id: str
    ebs_volume_size_gb: int
    ebs_volume_type: str
    iam_instance_profile: str
    custom_tags: _containers.ScalarMap[str, str]
    startup_script: str
    ssh_key_name: str
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., has_secret_access_key: bool = ..., region: _Optional[str] = ..., ami_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., max_instances: _Optional[int] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., subnet_id: _Optional[str] = ..., ebs_volume_size_gb: _Optional[int] = ..., ebs_volume_type: _Optional[str] = ..., iam_instance_profile: _Optional[str] = ..., custom_tags: _Optional[_Mapping[str, str]] = ..., startup_script: _Optional[str] = ..., ssh_key_name: _Optional[str] = ...) -> None: ...

class AzureVmProvider(_message.Message):
    __slots__ = ("subscription_id", "resource_group", "tenant_id", "client_id", "client_secret", "has_client_secret", "authority", "region", "max_instances", "vm_size", "os_disk_type", "os_disk_size_gb", "os_image_reference_json", "image_is_windows", "network_security_group", "subnet", "assign_public_ip", "tags", "os_username", "os_password", "has_os_password", "ssh_public_key", "agent_startup_script", "config_override_json")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_GROUP_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    HAS_CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    MAX_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    VM_SIZE_FIELD_NUMBER: _ClassVar[int]
    OS_DISK_TYPE_FIELD_NUMBER: _ClassVar[int]
    OS_DISK_SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    OS_IMAGE_REFERENCE_JSON_FIELD_NUMBER: _ClassVar[int]
    IMAGE_IS_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_SECURITY_GROUP_FIELD_NUMBER: _ClassVar[int]
    SUBNET_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_PUBLIC_IP_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    OS_USERNAME_FIELD_NUMBER: _ClassVar[int]
    OS_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    HAS_OS_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    AGENT_STARTUP_SCRIPT_FIELD_NUMBER: _ClassVar[int]
    CONFIG_OVERRIDE_JSON_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    resource_group: str
    tenant_id: str
    client_id: str
    client_secret: str
    has_client_secret: bool
    authority: AzureAuthority
    region: str
    max_instances: int
    vm_size: str
    os_disk_type: str
    os_disk_size_gb: int
    os_image_reference_json: str
    image_is_windows: bool
    network_security_group: str
    subnet: str
    assign_public_ip: bool
    tags: _containers.ScalarMap[str, str]
    os_username: str
    os_password: str
    has_os_password: bool
    ssh_public_key: str
    agent_startup_script: str
    config_override_json: str
    def __init__(self, subscription_id: _Optional[str] = ..., resource_group: _Optional[str] = ..., tenant_id: _Optional[str] = ..., client_id: _Optional[str] = ..., client_secret: _Optional[str] = ..., has_client_secret: bool = ..., authority: _Optional[_Union[AzureAuthority, str]] = ..., region: _Optional[str] = ..., max_instances: _Optional[int] = ..., vm_size: _Optional[str] = ..., os_disk_type: _Optional[str] = ..., os_disk_size_gb: _Optional[int] = ..., os_image_reference_json: _Optional[str] = ..., image_is_windows: bool = ..., network_security_group: _Optional[str] = ..., subnet: _Optional[str] = ..., assign_public_ip: bool = ..., tags: _Optional[_Mapping[str, str]] = ..., os_username: _Optional[str] = ..., os_password: _Optional[str] = ..., has_os_password: bool = ..., ssh_public_key: _Optional[str] = ..., agent_startup_script: _Optional[str] = ..., config_override_json: _Optional[str] = ...) -> None: ...

class DigitalOceanVmProvider(_message.Message):
    __slots__ = ("token", "has_token", "max_droplets", "region", "image", "droplet_size", "tags", "ssh_key_name", "firewall_name", "startup_script")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    HAS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_DROPLETS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    DROPLET_SIZE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SSH_KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    FIREWALL_NAME_FIELD_NUMBER: _ClassVar[int]
    STARTUP_SCRIPT_FIELD_NUMBER: _ClassVar[int]
    token: str
    has_token: bool
    max_droplets: int
    region: str
    image: str
    droplet_size: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    ssh_key_name: str
    firewall_name: str
    startup_script: str
    def __init__(self, token: _Optional[str] = ..., has_token: bool = ..., max_droplets: _Optional[int] = ..., region: _Optional[str] = ..., image: _Optional[str] = ..., droplet_size: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., ssh_key_name: _Optional[str] = ..., firewall_name: _Optional[str] = ..., startup_script: _Optional[str] = ...) -> None: ...

class GcpVmProvider(_message.Message):
    __slots__ = ("credentials_json", "has_credentials_json", "max_instances", "project_id", "region", "zone", "machine_type", "machine_image", "boot_volume_gb", "disk_type", "cmek_path", "network", "subnetwork", "public_ip", "network_tags", "custom_labels", "metadata_json", "service_account_json", "guest_accelerators_json", "config_override_json", "startup_script")
    class CustomLabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CREDENTIALS_JSON_FIELD_NUMBER: _ClassVar[int]
    HAS_CREDENTIALS_JSON_FIELD_NUMBER: _ClassVar[int]
    MAX_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    MACHINE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MACHINE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    BOOT_VOLUME_GB_FIELD_NUMBER: _ClassVar[int]
    DISK_TYPE_FIELD_NUMBER: _ClassVar[int]
    CMEK_PATH_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    SUBNETWORK_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_IP_FIELD_NUMBER: _ClassVar[int]
    NETWORK_TAGS_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_LABELS_FIELD_NUMBER: _ClassVar[int]
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ACCOUNT_JSON_FIELD_NUMBER: _ClassVar[int]
    GUEST_ACCELERATORS_JSON_FIELD_NUMBER: _ClassVar[int]
    CONFIG_OVERRIDE_JSON_FIELD_NUMBER: _ClassVar[int]
    STARTUP_SCRIPT_FIELD_NUMBER: _ClassVar[int]
    credentials_json: str
    has_credentials_json: bool
    max_instances: int
    project_id: str
    region: str
    zone: str
    machine_type: str
    machine_image: str
    boot_volume_gb: int
    disk_type: str
    cmek_path: str
    network: str
    subnetwork: str
    public_ip: bool
    network_tags: _containers.RepeatedScalarFieldContainer[str]
    custom_labels: _containers.ScalarMap[str, str]
    metadata_json: str
    service_account_json: str
    guest_accelerators_json: str
    config_override_json: str
    startup_script: str
    def __init__(self, credentials_json: _Optional[str] = ..., has_credentials_json: bool = ..., max_instances: _Optional[int] = ..., project_id: _Optional[str] = ..., region: _Optional[str] = ..., zone: _Optional[str] = ..., machine_type: _Optional[str] = ..., machine_image: _Optional[str] = ..., boot_volume_gb: _Optional[int] = ..., disk_type: _Optional[str] = ..., cmek_path: _Optional[str] = ..., network: _Optional[str] = ..., subnetwork: _Optional[str] = ..., public_ip: bool = ..., network_tags: _Optional[_Iterable[str]] = ..., custom_labels: _Optional[_Mapping[str, str]] = ..., metadata_json: _Optional[str] = ..., service_account_json: _Optional[str] = ..., guest_accelerators_json: _Optional[str] = ..., config_override_json: _Optional[str] = ..., startup_script: _Optional[str] = ...) -> None: ...

class OciVmProvider(_message.Message):
    __slots__ = ("user_ocid", "public_key_fingerprint", "private_key", "has_private_key", "region", "tenancy_ocid", "compartment_ocid", "max_instances", "availability_domain", "image_ocid", "shape", "flex_cpus", "flex_memory_gb", "boot_volume_gb", "custom_tags", "subnet_ocid", "ssh_public_key", "startup_script")
    class CustomTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_OCID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    TENANCY_OCID_FIELD_NUMBER: _ClassVar[int]
    COMPARTMENT_OCID_FIELD_NUMBER: _ClassVar[int]
    MAX_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    IMAGE_OCID_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    FLEX_CPUS_FIELD_NUMBER: _ClassVar[int]
    FLEX_MEMORY_GB_FIELD_NUMBER: _ClassVar[int]
    BOOT_VOLUME_GB_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_TAGS_FIELD_NUMBER: _ClassVar[int]
    SUBNET_OCID_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    STARTUP_SCRIPT_FIELD_NUMBER: _ClassVar[int]
    user_ocid: str
    public_key_fingerprint: str
    private_key: str
    has_private_key: bool
    region: str
    tenancy_ocid: str
    compartment_ocid: str
    max_instances: int
    availability_domain: str
    image_ocid: str
    shape: str
    flex_cpus: float
    flex_memory_gb: float
    boot_volume_gb: int
    custom_tags: _containers.ScalarMap[str, str]
    subnet_ocid: str
    ssh_public_key: str
    startup_script: str
    def __init__(self, user_ocid: _Optional[str] = ..., public_key_fingerprint: _Optional[str] = ..., private_key: _Optional[str] = ..., has_private_key: bool = ..., region: _Optional[str] = ..., tenancy_ocid: _Optional[str] = ..., compartment_ocid: _Optional[str] = ..., max_instances: _Optional[int] = ..., availability_domain: _Optional[str] = ..., image_ocid: _Optional[str] = ..., shape: _Optional[str] = ..., flex_cpus: _Optional[float] = ..., flex_memory_gb: _Optional[float] = ..., boot_volume_gb: _Optional[int] = ..., custom_tags: _Optional[_Mapping[str, str]] = ..., subnet_ocid: _Optional[str] = ..., ssh_public_key: _Optional[str] = ..., startup_script: _Optional[str] = ...) -> None: ...

class CreateVmProviderConfigRequest(_message.Message):
    __slots__ = ("vm_provider_config", "request_id")
    VM_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    vm_provider_config: VmProviderConfig
    request_id: str
    def __init__(self, vm_provider_config: _Optional[_Union[VmProviderConfig, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetVmProviderConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListVmProviderConfigsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVmProviderConfigsResponse(_message.Message):
    __slots__ = ("vm_provider_configs", "next_page_token")
    VM_PROVIDER_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    vm_provider_configs: _containers.RepeatedCompositeFieldContainer[VmProviderConfig]
    next_page_token: str
    def __init__(self, vm_provider_configs: _Optional[_Iterable[_Union[VmProviderConfig, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateVmProviderConfigRequest(_message.Message):
    __slots__ = ("vm_provider_config", "update_mask")
    VM_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    vm_provider_config: VmProviderConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, vm_provider_config: _Optional[_Union[VmProviderConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteVmProviderConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateVmProviderConfigResponse(_message.Message):
    __slots__ = ("vm_provider_config",)
    VM_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    vm_provider_config: VmProviderConfig
    def __init__(self, vm_provider_config: _Optional[_Union[VmProviderConfig, _Mapping]] = ...) -> None: ...

class GetVmProviderConfigResponse(_message.Message):
    __slots__ = ("vm_provider_config",)
    VM_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    vm_provider_config: VmProviderConfig
    def __init__(self, vm_provider_config: _Optional[_Union[VmProviderConfig, _Mapping]] = ...) -> None: ...

class UpdateVmProviderConfigResponse(_message.Message):
    __slots__ = ("vm_provider_config",)
    VM_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    vm_provider_config: VmProviderConfig
    def __init__(self, vm_provider_config: _Optional[_Union[VmProviderConfig, _Mapping]] = ...) -> None: ...

class DeleteVmProviderConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DnsProviderConfig(_message.Message):
    __slots__ = ("id", "name", "aws", "azure", "digital_ocean", "gcp", "oci", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AWS_FIELD_NUMBER: _ClassVar[int]
    AZURE_FIELD_NUMBER: _ClassVar[int]
    DIGITAL_OCEAN_FIELD_NUMBER: _ClassVar[int]
    GCP_FIELD_NUMBER: _ClassVar[int]
    OCI_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    aws: AwsDnsProvider
    azure: AzureDnsProvider
    digital_ocean: DigitalOceanDnsProvider
    gcp: GcpDnsProvider
    oci: OciDnsProvider
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., aws: _Optional[_Union[AwsDnsProvider, _Mapping]] = ..., azure: _Optional[_Union[AzureDnsProvider, _Mapping]] = ..., digital_ocean: _Optional[_Union[DigitalOceanDnsProvider, _Mapping]] = ..., gcp: _Optional[_Union[GcpDnsProvider, _Mapping]] = ..., oci: _Optional[_Union[OciDnsProvider, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AwsDnsProvider(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "has_secret_access_key")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    has_secret_access_key: bool
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., has_secret_access_key: bool = ...) -> None: ...

class AzureDnsProvider(_message.Message):
    __slots__ = ("subscription_id", "resource_group", "tenant_id", "client_id", "client_secret", "has_client_secret", "authority", "region")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_GROUP_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    HAS_CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    resource_group: str
    tenant_id: str
    client_id: str
    client_secret: str
    has_client_secret: bool
    authority: AzureAuthority
    region: str
    def __init__(self, subscription_id: _Optional[str] = ..., resource_group: _Optional[str] = ..., tenant_id: _Optional[str] = ..., client_id: _Optional[str] = ..., client_secret: _Optional[str] = ..., has_client_secret: bool = ..., authority: _Optional[_Union[AzureAuthority, str]] = ..., region: _Optional[str] = ...) -> None: ...

class DigitalOceanDnsProvider(_message.Message):
    __slots__ = ("token", "has_token")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    HAS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    has_token: bool
    def __init__(self, token: _Optional[str] = ..., has_token: bool = ...) -> None: ...

class GcpDnsProvider(_message.Message):
    __slots__ = ("project_id", "credentials_json", "has_credentials_json")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_JSON_FIELD_NUMBER: _ClassVar[int]
    HAS_CREDENTIALS_JSON_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    credentials_json: str
    has_credentials_json: bool
    def __init__(self, project_id: _Optional[str] = ..., credentials_json: _Optional[str] = ..., has_credentials_json: bool = ...) -> None: ...

class OciDnsProvider(_message.Message):
    __slots__ = ("public_key_fingerprint", "tenancy_ocid", "region", "compartment_ocid", "user_ocid", "private_key", "has_private_key")
    PUBLIC_KEY_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    TENANCY_OCID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    COMPARTMENT_OCID_FIELD_NUMBER: _ClassVar[int]
    USER_OCID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    public_key_fingerprint: str
    tenancy_ocid: str
    region: str
    compartment_ocid: str
    user_ocid: str
    private_key: str
    has_private_key: bool
    def __init__(self, public_key_fingerprint: _Optional[str] = ..., tenancy_ocid: _Optional[str] = ..., region: _Optional[str] = ..., compartment_ocid: _Optional[str] = ..., user_ocid: _Optional[str] = ..., private_key: _Optional[str] = ..., has_private_key: bool = ...) -> None: ...

class CreateDnsProviderConfigRequest(_message.Message):
    __slots__ = ("dns_provider_config", "request_id")
    DNS_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    dns_provider_config: DnsProviderConfig
    request_id: str
    def __init__(self, dns_provider_config: _Optional[_Union[DnsProviderConfig, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetDnsProviderConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListDnsProviderConfigsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDnsProviderConfigsResponse(_message.Message):
    __slots__ = ("dns_provider_configs", "next_page_token")
    DNS_PROVIDER_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dns_provider_configs: _containers.RepeatedCompositeFieldContainer[DnsProviderConfig]
    next_page_token: str
    def __init__(self, dns_provider_configs: _Optional[_Iterable[_Union[DnsProviderConfig, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDnsProviderConfigRequest(_message.Message):
    __slots__ = ("dns_provider_config", "update_mask")
    DNS_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    dns_provider_config: DnsProviderConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, dns_provider_config: _Optional[_Union[DnsProviderConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteDnsProviderConfigRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateDnsProviderConfigResponse(_message.Message):
    __slots__ = ("dns_provider_config",)
    DNS_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    dns_provider_config: DnsProviderConfig
    def __init__(self, dns_provider_config: _Optional[_Union[DnsProviderConfig, _Mapping]] = ...) -> None: ...

class GetDnsProviderConfigResponse(_message.Message):
    __slots__ = ("dns_provider_config",)
    DNS_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    dns_provider_config: DnsProviderConfig
    def __init__(self, dns_provider_config: _Optional[_Union[DnsProviderConfig, _Mapping]] = ...) -> None: ...

class UpdateDnsProviderConfigResponse(_message.Message):
    __slots__ = ("dns_provider_config",)
    DNS_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    dns_provider_config: DnsProviderConfig
    def __init__(self, dns_provider_config: _Optional[_Union[DnsProviderConfig, _Mapping]] = ...) -> None: ...

class DeleteDnsProviderConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
