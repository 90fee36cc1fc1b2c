"""The model every layer shares: the view IR, sheet schemas, domain errors and SQL names."""
