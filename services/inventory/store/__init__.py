"""SQL and transactions of the inventory database, one module per aggregate; callers own the
transaction of the ORM-side reads and writes, the stock functions run their own."""
