"""AWS CloudTrail in every wrapper: S3 deliveries, arrays, JSON lines, console and Lake exports."""
