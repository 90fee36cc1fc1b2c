"""Helpers of the Spark tests (fixtures are in conftest.py)."""

from __future__ import annotations

import importlib.util
import os
import shutil

TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.sql.codegen.wholeStage": "false",  # tiny data: compiling generated code costs more than it saves
}


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]'; scripts/setup.sh installs it)"
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17+: apt-get install openjdk-17-jre-headless)"
    return None
