"""The profile service's domain: values, rules and named errors; pure (no I/O, no transport)."""
