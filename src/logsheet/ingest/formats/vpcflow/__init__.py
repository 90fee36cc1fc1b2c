"""AWS VPC flow logs, v2 to v8, any field order."""
