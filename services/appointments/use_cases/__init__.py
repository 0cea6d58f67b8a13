"""The appointments use cases, one module per aggregate: each public method authorises, loads through
the store, applies the domain's rules and writes through the store and the outbox, in one transaction."""
