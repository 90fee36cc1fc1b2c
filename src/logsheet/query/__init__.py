"""How analysts spell views: the filter language and the CLI/REST spellings of a query."""
