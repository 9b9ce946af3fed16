"""Named queries, one module per area; routes, jobs and templates never build queries."""
