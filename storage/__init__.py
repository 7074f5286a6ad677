"""Storage: SQLModel tables, engine and session helpers, bulk import, Alembic migrations.

Rows become DataFrames at this package's edge and nowhere else.
"""
