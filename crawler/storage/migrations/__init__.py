"""Alembic migrations of the dondoc database, shipped inside the package (see engine.upgrade_database)."""
