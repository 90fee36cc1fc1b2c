"""Repertoires several actors share: the EC2 reads every tool makes, S3 object traffic, KMS for encrypted data."""

from __future__ import annotations

from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_storage as storage

ALL_REGIONS = (("us-east-1", 4), ("us-west-2", 3), ("eu-west-1", 3))
EC2_READS = (
    (compute.DESCRIBE_INSTANCES, 10),
    (compute.DESCRIBE_SECURITY_GROUPS, 5),
    (compute.DESCRIBE_VPCS, 3),
    (compute.DESCRIBE_SUBNETS, 3),
    (compute.DESCRIBE_VOLUMES, 4),
    (compute.DESCRIBE_INSTANCE_STATUS, 4),
    (compute.DESCRIBE_ENIS, 2),
    (compute.DESCRIBE_ADDRESSES, 1),
    (compute.DESCRIBE_KEY_PAIRS, 1),
)
S3_DATA = ((storage.GET_OBJECT, 10), (storage.PUT_OBJECT, 4), (storage.HEAD_OBJECT, 2), (storage.LIST_OBJECTS, 2))
KMS = ((storage.KMS_DECRYPT, 6), (storage.KMS_GENERATE_DATA_KEY, 3))
