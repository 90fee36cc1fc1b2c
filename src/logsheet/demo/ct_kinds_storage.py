"""Catalog of storage and secrets actions: S3 (management and data events), KMS, Logs, Secrets Manager, SSM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logsheet.demo.ct_common import ACCESS_DENIED_EXCEPTION, NO_SUCH_BUCKET, S3_DENIED, fixed, pick
from logsheet.demo.ct_record import Call, Draw, EventKind
from logsheet.demo.ct_resources import (
    APP_FLEET,
    BUCKETS,
    LOG_GROUPS,
    OBJECT_PREFIXES,
    OBJECT_SUFFIXES,
    PARAMETERS,
    SECRETS,
    kms_key_arn,
)
from logsheet.demo.world import ACCOUNT_ID

_S3_NO_SUCH_KEY = ("NoSuchKey", "The specified key does not exist.")
_S3_NO_POLICY = ("NoSuchBucketPolicy", "The bucket policy does not exist")
_S3_NO_ENCRYPTION = (
    "ServerSideEncryptionConfigurationNotFoundError",
    "The server side encryption configuration was not found",
)
_LOG_STREAM_EXISTS = ("ResourceAlreadyExistsException", "The specified log stream already exists")
_NO_SECRET = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def s3_additional(draw: Draw, bytes_in: int = 0, bytes_out: int = 0) -> dict[str, Any]:
    """The ``additionalEventData`` S3 attaches to every request."""
    return {
        "SignatureVersion": "SigV4",
        "CipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
        "bytesTransferredIn": bytes_in,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": draw.ids.b64(57),
        "bytesTransferredOut": bytes_out,
    }


def object_key(draw: Draw) -> str:
    return f"{pick(draw, OBJECT_PREFIXES)}{draw.ids.hex(12)}{pick(draw, OBJECT_SUFFIXES)}"


def object_call(draw: Draw, bucket: str, key: str, *, upload: bool) -> Call:
    """A GetObject/PutObject-style data event on ``bucket/key``."""
    size = draw.rng.randint(200, 4_000_000)
    params = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", "key": key}
    resources = [
        {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
        {"accountId": ACCOUNT_ID, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
    ]
    moved = s3_additional(draw, bytes_in=size) if upload else s3_additional(draw, bytes_out=size)
    return Call(params, None, resources, moved)


def _bucket_call(subresource: str) -> Callable[[Draw], Call]:
    def build(draw: Draw) -> Call:
        bucket = pick(draw, BUCKETS)
        params = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", subresource: ""}
        resources = [{"accountId": ACCOUNT_ID, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        return Call(params, None, resources, s3_additional(draw))

    return build


def _object(upload: bool) -> Callable[[Draw], Call]:
    return lambda draw: object_call(draw, pick(draw, BUCKETS), object_key(draw), upload=upload)


def _list_objects(draw: Draw) -> Call:
    bucket = pick(draw, BUCKETS)
    params = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", "list-type": "2", "prefix": pick(draw, OBJECT_PREFIXES)}
    resources = [{"accountId": ACCOUNT_ID, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    return Call(params, None, resources, s3_additional(draw, bytes_out=draw.rng.randint(300, 90_000)))


def _list_buckets(draw: Draw) -> Call:
    return Call({"Host": "s3.amazonaws.com"}, None, None, s3_additional(draw, bytes_out=draw.rng.randint(900, 2600)))


def _key_resource(draw: Draw) -> list[dict[str, str]]:
    return [{"accountId": ACCOUNT_ID, "type": "AWS::KMS::Key", "ARN": kms_key_arn(draw.region)}]


def _decrypt(draw: Draw) -> Call:
    context = {"aws:s3:arn": f"arn:aws:s3:::{pick(draw, BUCKETS)}/{object_key(draw)}"}
    return Call({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": context}, None, _key_resource(draw))


def _generate_data_key(draw: Draw) -> Call:
    context = {"aws:s3:arn": f"arn:aws:s3:::{pick(draw, BUCKETS)}"}
    params = {"keyId": kms_key_arn(draw.region), "encryptionContext": context, "keySpec": "AES_256"}
    return Call(params, None, _key_resource(draw))


def _create_log_stream(draw: Draw) -> Call:
    stream = f"2022/03/{draw.rng.randint(19, 23)}/[$LATEST]{draw.ids.hex(32)}"
    return Call({"logGroupName": pick(draw, LOG_GROUPS), "logStreamName": stream})


def _get_secret(draw: Draw) -> Call:
    return Call({"secretId": pick(draw, SECRETS)})


def _get_parameters(draw: Draw) -> Call:
    return Call({"names": [pick(draw, PARAMETERS)], "withDecryption": True})


def _update_instance_information(draw: Draw) -> Call:
    instance = pick(draw, tuple(instance for instance, _ in APP_FLEET))
    params = {
        "instanceId": instance,
        "agentVersion": "3.1.1004.0",
        "agentStatus": "Active",
        "platformType": "Linux",
        "platformName": "Amazon Linux",
        "platformVersion": "2",
        "agentName": "amazon-ssm-agent",
        "availabilityZone": "us-east-1b",
        "availabilityZoneId": "use1-az2",
    }
    return Call(params)


LIST_BUCKETS = EventKind("s3", "ListBuckets", True, _list_buckets, (S3_DENIED,), global_region=True)
GET_BUCKET_ACL = EventKind("s3", "GetBucketAcl", True, _bucket_call("acl"), (NO_SUCH_BUCKET,), global_region=True)
GET_BUCKET_LOCATION = EventKind("s3", "GetBucketLocation", True, _bucket_call("location"), global_region=True)
GET_BUCKET_POLICY = EventKind("s3", "GetBucketPolicy", True, _bucket_call("policy"), (_S3_NO_POLICY,), global_region=True)
GET_BUCKET_VERSIONING = EventKind("s3", "GetBucketVersioning", True, _bucket_call("versioning"), global_region=True)
GET_BUCKET_ENCRYPTION = EventKind(
    "s3", "GetBucketEncryption", True, _bucket_call("encryption"), (_S3_NO_ENCRYPTION,), global_region=True
)
GET_OBJECT = EventKind("s3", "GetObject", True, _object(False), (_S3_NO_SUCH_KEY, S3_DENIED), data=True, global_region=True)
PUT_OBJECT = EventKind("s3", "PutObject", False, _object(True), (S3_DENIED,), data=True, global_region=True)
HEAD_OBJECT = EventKind("s3", "HeadObject", True, _object(False), (_S3_NO_SUCH_KEY,), data=True, global_region=True)
LIST_OBJECTS = EventKind("s3", "ListObjects", True, _list_objects, (S3_DENIED,), data=True, global_region=True)

KMS_DECRYPT = EventKind("kms", "Decrypt", True, _decrypt, (ACCESS_DENIED_EXCEPTION,))
KMS_GENERATE_DATA_KEY = EventKind("kms", "GenerateDataKey", True, _generate_data_key)
KMS_DESCRIBE_KEY = EventKind("kms", "DescribeKey", True, fixed({"keyId": "alias/aws/s3"}))
KMS_LIST_ALIASES = EventKind("kms", "ListAliases", True, fixed(None))

CREATE_LOG_STREAM = EventKind("logs", "CreateLogStream", False, _create_log_stream, (_LOG_STREAM_EXISTS,))
DESCRIBE_LOG_GROUPS = EventKind("logs", "DescribeLogGroups", True, fixed({"limit": 50}))
GET_SECRET_VALUE = EventKind("secretsmanager", "GetSecretValue", True, _get_secret, (_NO_SECRET,))
SSM_GET_PARAMETERS = EventKind("ssm", "GetParameters", True, _get_parameters, (ACCESS_DENIED_EXCEPTION,))
SSM_UPDATE_INSTANCE_INFORMATION = EventKind("ssm", "UpdateInstanceInformation", False, _update_instance_information)
SSM_LIST_ASSOCIATIONS = EventKind("ssm", "ListInstanceAssociations", True, fixed({"maxResults": 20}))
