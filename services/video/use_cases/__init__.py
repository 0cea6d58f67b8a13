"""The video service's use cases, one module per aggregate."""
