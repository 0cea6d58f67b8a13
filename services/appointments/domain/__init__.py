"""The appointments domain: values, rules and named errors; pure (no transport, database or broker)."""
