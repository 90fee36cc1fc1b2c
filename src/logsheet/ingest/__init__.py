"""The import pipeline: discovery, format readers, deduplication, rejects, the atomic commit."""
