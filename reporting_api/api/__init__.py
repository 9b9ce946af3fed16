"""The JSON API under /api/v1: one controller module per area."""
