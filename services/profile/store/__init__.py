"""SQL and transactions of the profile database, one module per aggregate; every function returns
domain values, never rows, and callers own the transaction."""

from services.profile.store import (
    accounts,
    affiliations,
    clinics,
    consents,
    doctors,
    patients,
    pharmacies,
    profiles,
    ratings,
    visits,
)

__all__ = [
    "accounts",
    "affiliations",
    "clinics",
    "consents",
    "doctors",
    "patients",
    "pharmacies",
    "profiles",
    "ratings",
    "visits",
]
