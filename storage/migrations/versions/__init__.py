"""Alembic revisions: 0001_inputs (DATA), then the service's revisions."""
