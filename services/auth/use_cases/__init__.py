"""The auth service's use cases, one module per aggregate."""
