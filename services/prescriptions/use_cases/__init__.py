"""The prescriptions service's use cases, one module per aggregate."""
