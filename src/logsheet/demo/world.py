"""The demo's world: the account, the web server, the attacker and the time span shared by every log."""

from __future__ import annotations

from logsheet.demo.clock import utc

DEFAULT_SEED = 20220322

ACCOUNT_ID = "123456789012"
PERIOD_START = utc(2022, 3, 19)
PERIOD_END = utc(2022, 3, 24)  # exclusive: the logs run to 2022-03-23 23:59:59

# The compromised web server.
WEB_INSTANCE_ID = "i-0a1b2c3d4e5f60718"
WEB_PRIVATE_IP = "172.31.83.20"
WEB_PUBLIC_IP = "44.202.228.109"
WEB_IPV6 = "2600:1f18:4a3:6902:8b4c:1e3d:9f20:5a17"
WEB_HOSTNAME = "ip-172-31-83-20"
WEB_ENI_ID = "eni-0c9d8e7f6a5b43210"
WEB_ROLE = "WebServerRole"
WEB_SUBNET_ID = "subnet-0b3e5a7c9d1f24680"
VPC_ID = "vpc-0e1d2c3b4a5968778"
S3_VPC_ENDPOINT = "vpce-0a9b8c7d6e5f41302"

# The database the web server talks to, on a second logged interface.
DB_PRIVATE_IP = "172.31.90.14"
DB_ENI_ID = "eni-07a6b5c4d3e2f1098"

# The attack.
SSH_ATTACKER_IP = "123.214.118.119"
BRUTE_FORCE_START = utc(2022, 3, 22, 14, 50, 3)
ROOT_LOGIN = utc(2022, 3, 22, 15, 40, 17)
ROOT_LOGOUT = utc(2022, 3, 22, 16, 21, 53)
API_RECON_START = utc(2022, 3, 22, 15, 42, 5)
LAUNCH_TIME = utc(2022, 3, 22, 15, 48, 2)
LAUNCHED_INSTANCE_ID = "i-0f9e8d7c6b5a43210"
LAUNCHED_INSTANCE_TYPE = "t2.micro"
AMAZON_LINUX_2_AMI = "ami-0c02fb55956c7d316"

# Addresses that only the incident may use, so that its counts stay exact.
INCIDENT_IPS = frozenset({WEB_PUBLIC_IP, SSH_ATTACKER_IP})

# The company's own addresses (documentation ranges): office, VPN and a home.
OFFICE_IP = "203.0.113.45"
VPN_IP = "203.0.113.71"
HOME_IP = "198.51.100.23"
FUZZER_IP = "198.51.100.200"
