"""The profile service's use cases, one module per aggregate: each public method authorises, loads
through the store, applies the domain rules and writes through the store and the outbox, in one transaction."""
