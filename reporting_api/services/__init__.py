"""Domain operations: each validates, checks access, changes data and writes the audit row."""
