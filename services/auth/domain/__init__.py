"""The auth service's pure rules, values and named errors."""
