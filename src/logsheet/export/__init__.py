"""Values leaving logsheet: JSON-safe values, CSV with formulas neutralised, terminal tables, files."""
