"""SQL and transactions of the appointments database, one module per aggregate. Callers own the
transaction; every function returns domain values, never rows, and turns constraint and PL/pgSQL
errors into named domain errors."""
