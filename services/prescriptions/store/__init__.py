"""SQL and transactions of the prescriptions database, one module per aggregate. Callers own the
transaction; every function returns domain values, never rows."""
