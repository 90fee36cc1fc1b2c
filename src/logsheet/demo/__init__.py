"""The reference incident's raw evidence, generated: CloudTrail as delivered to S3, the web server's
``/var/log/secure`` and its VPC flow logs, with the incident planted at exact, known counts.

    from logsheet.demo import generate, FACTS
    files = generate(Path("demo-data"))          # same seed, same bytes
    assert FACTS.run_instances == 7
"""

from logsheet.demo.facts import FACTS, DemoFacts
from logsheet.demo.generate import DemoFiles, generate
from logsheet.demo.world import DEFAULT_SEED

__all__ = ["DEFAULT_SEED", "FACTS", "DemoFacts", "DemoFiles", "generate"]
