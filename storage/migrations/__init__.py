"""Alembic environment of supplycast (run it through `storage.migrate.upgrade`)."""
