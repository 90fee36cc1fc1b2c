"""Imports straight from S3: ``logsheet import s3://BUCKET/PREFIX``.

- :mod:`.request`: the S3 URL and the options of one S3 import (credentials, endpoint, selection), checked once;
- :mod:`.client`: the boto3 client (standard credential chain, named profiles, retries) and S3's errors in words;
- :mod:`.layout`: which prefixes to list for an account / region / date selection of CloudTrail and VPC flow
  log deliveries (``AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/``), digest files skipped;
- :mod:`.fetch`: the objects downloaded concurrently into the workspace's staging folder, bounded;
- :mod:`.importer`: the objects imported in batches as they arrive, each batch committed with its objects'
  evidence, so that an interrupted import run again imports every object once.
"""
