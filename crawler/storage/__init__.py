"""Storage: engine, schema, migrations, one query module per thing stored (SQLite and PostgreSQL)."""
