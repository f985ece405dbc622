"""Report pages built from the evidence: weakness reports, board summary, data quality."""
