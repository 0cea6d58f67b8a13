"""The profile use cases: ownership checks, validation, one transaction each, events through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal, Role
from services.common.db import Row, transaction
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    NotYours,
    PermissionDenied,
    invalid_field,
)
from services.common.pagination import Keyset, PageTokens
from services.profile import events, store
from services.profile.rules import (
    BLOOD_GROUPS,
    AffiliationStatus,
    CareRelationship,
    Checks,
    answer_allowed,
    camel,
    end_allowed,
    invitation_allowed,
    may_read_medical_data,
    parse_date,
    parse_money,
    sees_unverified_doctors,
)

Clock = Callable[[], datetime]
DOCTORS = Keyset("profile.doctors", (str, str, uuid.UUID))
RATINGS = Keyset("profile.ratings", (datetime, uuid.UUID))
CLINICS = Keyset("profile.clinics", (datetime, uuid.UUID))
PHARMACIES = Keyset("profile.pharmacies", (datetime, uuid.UUID))


def utc_now() -> datetime:
    return datetime.now(UTC)


class ProfileService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, pages: PageTokens, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self._pages = pages
        self._now = clock

    # Common profiles

    async def get_profile(self, viewer: Principal, user_id: uuid.UUID) -> Row:
        if viewer.user_id != user_id and viewer.role is not Role.SYSTEM_ADMIN:
            raise NotYours()
        async with self._sessions() as session:
            row = await store.profile(session, user_id)
        if row is None:
            raise NotFound("no profile has this id yet", reason="PROFILE_NOT_FOUND")
        return row

    async def update_profile(self, viewer: Principal, user_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        if viewer.user_id != user_id and viewer.role is not Role.SYSTEM_ADMIN:
            raise NotYours()
        checks = Checks()
        for field in ("first_name", "last_name"):
            if field in changes:
                checks.required_text(camel(field), changes[field], 100)
        checks.phone("phoneNumber", changes.get("phone_number"))
        checks.done()
        async with transaction(self._sessions) as session:
            if await store.update_row(session, store.profiles, {"id": user_id}, changes) is None:
                raise NotFound("no profile has this id yet", reason="PROFILE_NOT_FOUND")
            if {"first_name", "last_name"} & changes.keys():
                await store.update_row(session, store.doctors, {"id": user_id}, {})
                await events.doctor_updated(session, user_id)  # names are mirrored by appointments
            row = await store.profile(session, user_id)
        assert row is not None
        return row

    async def create_profile(self, viewer: Principal, email: str, changes: dict[str, Any]) -> Row:
        """The caller's own profile, created if the registration event has not created it yet."""
        checks = Checks()
        checks.required_text("firstName", changes.get("first_name"), 100)
        checks.required_text("lastName", changes.get("last_name"), 100)
        checks.phone("phoneNumber", changes.get("phone_number"))
        checks.email("email", email)
        checks.done()
        values = {
            "id": viewer.user_id,
            "email": email.strip().lower(),
            "role": viewer.role.value,
            "first_name": changes["first_name"].strip(),
            "last_name": changes["last_name"].strip(),
            "phone_number": (changes.get("phone_number") or "").strip(),
        }
        async with transaction(self._sessions) as session:
            await store.insert_profile(session, values, refresh_identity=False)
            row = await store.profile(session, viewer.user_id)
        assert row is not None
        return row

    # Patients

    async def get_patient(self, viewer: Principal, patient_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            relationship = None
            if viewer.role is Role.DOCTOR:
                found = await store.care_relationship(session, patient_id, viewer.user_id)
                if found is not None:
                    relationship = CareRelationship(found["open_appointments"], found["last_appointment_at"])
            allowed = may_read_medical_data(viewer, patient_id, relationship, self._now())
            row = await store.patient(session, patient_id) if allowed else None
        if not allowed:
            raise PermissionDenied("only the patient and their doctors may read this", reason="NOT_IN_CARE")
        if row is None:
            raise NotFound("this patient has no medical profile yet", reason="PATIENT_NOT_FOUND")
        return row

    def _check_patient(self, changes: dict[str, Any]) -> dict[str, Any]:
        checks = Checks()
        checks.past_date("dateOfBirth", changes.get("date_of_birth"), self._now().date())
        checks.one_of("bloodGroup", changes.get("blood_group"), BLOOD_GROUPS)
        for field in ("address", "insurance_provider"):
            checks.text(camel(field), changes.get(field), 500)
        checks.text("medicalHistory", changes.get("medical_history"), 20_000)
        checks.contacts("emergencyContacts", changes.get("emergency_contacts"))
        checks.uuids("preferredDoctorIds", changes.get("preferred_doctor_ids"))
        checks.uuids("preferredClinicIds", changes.get("preferred_clinic_ids"))
        checks.done()
        values = dict(changes)
        if "date_of_birth" in values:
            values["date_of_birth"] = parse_date(values["date_of_birth"]) if values["date_of_birth"] else None
        for field in ("preferred_doctor_ids", "preferred_clinic_ids"):
            if field in values:
                values[field] = [uuid.UUID(v) for v in values[field]]
        if "emergency_contacts" in values:
            values["emergency_contacts"] = [
                {"name": c.get("name", ""), "relationship": c.get("relationship", ""), "phone": c.get("phone", "")}
                for c in values["emergency_contacts"]
            ]
        return values

    async def save_patient(
        self, viewer: Principal, patient_id: uuid.UUID, changes: dict[str, Any], *, create: bool
    ) -> Row:
        """Create (idempotently) or update the caller's medical profile; audited as a change."""
        if viewer.user_id != patient_id:
            raise NotYours()
        values = self._check_patient(changes)
        async with transaction(self._sessions) as session:
            inserted = await store.insert_if_missing(session, store.patients, {"id": patient_id, "version": 1}, ["id"])
            if values and (inserted or not create):
                await store.update_row(session, store.patients, {"id": patient_id}, values)
            row = await store.patient(session, patient_id)
        assert row is not None
        return row

    async def lookup_patients(self, viewer: Principal, email: str, phone: str) -> list[Row]:
        if bool(email.strip()) == bool(phone.strip()):
            raise InvalidArgument("give exactly one of email and phone", reason="LOOKUP_NEEDS_ONE_KEY")
        async with self._sessions() as session:
            return await store.find_patients(session, email=email.strip().lower(), phone=phone.strip())

    # Consents

    async def list_consents(self, viewer: Principal, patient_id: uuid.UUID) -> list[Row]:
        if viewer.user_id != patient_id:
            raise NotYours()
        async with self._sessions() as session:
            return await store.list_consents(session, patient_id)

    async def grant_consent(self, viewer: Principal, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> Row:
        if viewer.user_id != patient_id:
            raise NotYours()
        async with transaction(self._sessions) as session:
            if await store.doctor(session, doctor_id) is None:
                raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
            values = {"patient_id": patient_id, "doctor_id": doctor_id, "version": 1}
            if await store.insert_if_missing(session, store.consents, values, ["patient_id", "doctor_id"]):
                await events.consent_changed(session, patient_id, doctor_id, granted=True)
            rows = [r for r in await store.list_consents(session, patient_id) if r["doctor_id"] == doctor_id]
        return rows[0]

    async def revoke_consent(self, viewer: Principal, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> None:
        if viewer.user_id != patient_id:
            raise NotYours()
        async with transaction(self._sessions) as session:
            if await store.delete_consent(session, patient_id, doctor_id):
                await events.consent_changed(session, patient_id, doctor_id, granted=False)

    # Doctors

    async def list_doctors(
        self,
        viewer: Principal,
        *,
        specialization: str,
        clinic_id: uuid.UUID | None,
        query: str,
        verified_only: bool | None,
        size: int,
        token: str,
    ) -> tuple[list[Row], str]:
        only_verified = not sees_unverified_doctors(viewer, verified_only)
        filters = {"specialization": specialization, "clinicId": clinic_id, "query": query, "verified": only_verified}
        page = self._pages.page(DOCTORS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.search_doctors(
                session,
                specialization=specialization,
                clinic_id=clinic_id,
                query=query,
                verified_only=only_verified,
                after=page.after,
                limit=page.fetch,
            )
            listed = page.split(rows, lambda r: (r["last_name"] or "", r["first_name"] or "", r["id"]))
            page_rows, next_token = listed.items, listed.next_page_token
            clinics = {r["id"]: await store.doctor_clinics(session, r["id"]) for r in page_rows}
        return [{**r, "clinics": clinics[r["id"]]} for r in page_rows], next_token

    async def get_doctor(self, viewer: Principal, doctor_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            row = await store.doctor(session, doctor_id)
            clinics = await store.doctor_clinics(session, doctor_id) if row else []
        hidden = row is not None and not row["verified"] and viewer.role is Role.PATIENT and viewer.user_id != doctor_id
        if row is None or hidden:
            raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
        return {**row, "clinics": clinics}

    def _check_doctor(self, changes: dict[str, Any]) -> dict[str, Any]:
        checks = Checks()
        checks.text("specialization", changes.get("specialization"), 200)
        checks.text("licenseNumber", changes.get("license_number"), 100)
        checks.text("bio", changes.get("bio"), 5000)
        checks.between("yearsOfExperience", changes.get("years_of_experience"), 0, 80)
        checks.money("consultationFee", changes.get("consultation_fee"))
        checks.currency("currency", changes.get("currency"))
        checks.time_zone("timeZone", changes.get("time_zone"))
        checks.done()
        values = dict(changes)
        if "consultation_fee" in values:
            values["consultation_fee"] = parse_money(values["consultation_fee"]) if values["consultation_fee"] else None
        for field in ("specialization", "license_number", "currency", "time_zone", "bio"):
            if field in values and values[field] == "":
                values[field] = None
        return values

    async def save_doctor(
        self, viewer: Principal, doctor_id: uuid.UUID, changes: dict[str, Any], *, create: bool
    ) -> Row:
        if viewer.user_id != doctor_id:
            raise NotYours()
        values = self._check_doctor(changes)
        async with transaction(self._sessions) as session:
            inserted = await store.insert_if_missing(session, store.doctors, {"id": doctor_id, "version": 1}, ["id"])
            before = await store.lock(session, store.doctors, {"id": doctor_id})
            assert before is not None
            if values and (inserted or not create):
                after = await store.update_row(session, store.doctors, {"id": doctor_id}, values)
                assert after is not None
                new_license = values.get("license_number")
                if "license_number" in values and new_license != before["license_number"] and new_license:
                    await events.license_changed(session, doctor_id, new_license, after["version"])
            if inserted or (values and not create):
                await events.doctor_updated(session, doctor_id)
        return await self.get_doctor(viewer, doctor_id)

    # Ratings

    async def rate_doctor(self, viewer: Principal, doctor_id: uuid.UUID, rating: int, review: str) -> Row:
        """One rating per patient and doctor (a second one replaces the first), after a completed visit."""
        checks = Checks()
        checks.between("rating", rating, 1, 5)
        checks.text("review", review, 2000)
        checks.done()
        async with transaction(self._sessions) as session:
            if await store.lock(session, store.doctors, {"id": doctor_id}) is None:
                raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
            if not await store.has_completed_visit(session, viewer.user_id, doctor_id):
                raise FailedPrecondition(
                    "patients rate a doctor after a completed appointment with them", reason="NO_COMPLETED_VISIT"
                )
            row = await store.save_rating(
                session,
                {"doctor_id": doctor_id, "patient_id": viewer.user_id, "rating": rating, "review": review.strip()},
            )
            await store.refresh_rating_summary(session, doctor_id)
        return row

    async def list_ratings(self, doctor_id: uuid.UUID, size: int, token: str) -> tuple[list[Row], str]:
        page = self._pages.page(RATINGS, size=size, token=token, filters={"doctorId": doctor_id})
        async with self._sessions() as session:
            if await store.doctor(session, doctor_id) is None:
                raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
            rows = await store.list_ratings(session, doctor_id, page.after, page.fetch)
        listed = page.split(rows, lambda r: (r["created_at"], r["patient_id"]))
        return listed.items, listed.next_page_token

    # Clinics

    async def list_clinics(self, query: str, size: int, token: str) -> tuple[list[Row], str]:
        return await self._newest(CLINICS, store.clinics, query, size, token)

    async def _newest(self, keyset: Keyset, table: Any, query: str, size: int, token: str) -> tuple[list[Row], str]:
        page = self._pages.page(keyset, size=size, token=token, filters={"query": query})
        async with self._sessions() as session:
            rows = await store.newest_first(session, table, query=query, after=page.after, limit=page.fetch)
        listed = page.split(rows, lambda r: (r["created_at"], r["id"]))
        return listed.items, listed.next_page_token

    async def get_clinic(self, clinic_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            row = await store.clinic(session, clinic_id)
        if row is None:
            raise NotFound("no clinic has this id", reason="CLINIC_NOT_FOUND")
        return row

    def _check_clinic(self, changes: dict[str, Any], *, creating: bool) -> None:
        checks = Checks()
        if creating or "name" in changes:
            checks.required_text("name", changes.get("name"))
        checks.time_zone("timeZone", changes.get("time_zone"), required=creating or "time_zone" in changes)
        checks.currency("currency", changes.get("currency"))
        if "currency" in changes and not changes["currency"]:
            checks.errors.add("currency", "is required")
        checks.phone("phone", changes.get("phone"))
        checks.email("email", changes.get("email"))
        checks.text("address", changes.get("address"), 500)
        checks.operating_hours("operatingHours", changes.get("operating_hours"))
        checks.done()

    async def create_clinic(self, viewer: Principal, admin_id: str, changes: dict[str, Any]) -> Row:
        """A clinic admin creates their one clinic; a SYSTEM_ADMIN may assign more to an admin."""
        if viewer.role is Role.SYSTEM_ADMIN:
            if not admin_id:
                raise invalid_field("adminId", "is required when a SYSTEM_ADMIN creates a clinic")
            try:
                owner = uuid.UUID(admin_id)
            except ValueError:
                raise invalid_field("adminId", f"{admin_id!r} is not a UUID", "INVALID_ID") from None
        else:
            owner = viewer.user_id
        self._check_clinic(changes, creating=True)
        values = {"currency": events.DEFAULT_CURRENCY, **changes, "id": uuid.uuid4(), "admin_id": owner, "version": 1}
        async with transaction(self._sessions) as session:
            if viewer.role is Role.SYSTEM_ADMIN:
                account = await store.account(session, owner)
                if account is None or account["role"] != Role.CLINIC_ADMIN.value:
                    raise invalid_field("adminId", "is not a CLINIC_ADMIN account", "NOT_A_CLINIC_ADMIN")
            else:
                await store.lock_key(session, f"clinic-admin:{owner}")
                if await store.clinics_of(session, owner):
                    raise AlreadyExists("you have a clinic already", reason="CLINIC_EXISTS")
            await store.insert_if_missing(session, store.clinics, values, ["id"])
            row = await store.clinic(session, values["id"])
            assert row is not None
            await events.clinic_updated(session, row)
        return row

    async def update_clinic(self, viewer: Principal, clinic_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        self._check_clinic(changes, creating=False)
        async with transaction(self._sessions) as session:
            current = await store.lock(session, store.clinics, {"id": clinic_id})
            if current is None or current["admin_id"] != viewer.user_id:
                raise NotYours()  # also for unknown ids, which cannot be probed
            row = await store.update_row(session, store.clinics, {"id": clinic_id}, changes)
            assert row is not None
            await events.clinic_updated(session, row)
        return row

    # Affiliations

    async def _admin_clinic(self, session: AsyncSession, viewer: Principal, clinic_id: uuid.UUID) -> Row:
        clinic = await store.clinic(session, clinic_id)
        if clinic is None or clinic["admin_id"] != viewer.user_id:
            raise NotYours()
        return clinic

    async def invite_doctor(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Row:
        async with transaction(self._sessions) as session:
            await self._admin_clinic(session, viewer, clinic_id)
            if await store.doctor(session, doctor_id) is None:
                raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
            values = {
                "clinic_id": clinic_id,
                "doctor_id": doctor_id,
                "status": AffiliationStatus.PENDING,
                "invite_time": self._now(),
                "version": 1,
            }
            key = {"clinic_id": clinic_id, "doctor_id": doctor_id}
            if not await store.insert_if_missing(session, store.affiliations, values, ["clinic_id", "doctor_id"]):
                current = await store.lock(session, store.affiliations, key)
                assert current is not None
                invitation_allowed(current["status"])
                reset = {
                    "status": AffiliationStatus.PENDING,
                    "invite_time": self._now(),
                    "respond_time": None,
                    "end_time": None,
                }
                await store.update_row(session, store.affiliations, key, reset)
            return await events.affiliation_updated(session, clinic_id, doctor_id)

    async def answer_invitation(
        self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID, *, accept: bool
    ) -> Row:
        if viewer.user_id != doctor_id:
            raise NotYours()
        key = {"clinic_id": clinic_id, "doctor_id": doctor_id}
        async with transaction(self._sessions) as session:
            current = await store.lock(session, store.affiliations, key)
            answer_allowed(current["status"] if current else None)
            status = AffiliationStatus.CONFIRMED if accept else AffiliationStatus.REJECTED
            await store.update_row(session, store.affiliations, key, {"status": status, "respond_time": self._now()})
            row = await events.affiliation_updated(session, clinic_id, doctor_id)
            await store.update_row(session, store.doctors, {"id": doctor_id}, {})
            await events.doctor_updated(session, doctor_id)  # its clinics changed
        return row

    async def end_affiliation(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Row:
        key = {"clinic_id": clinic_id, "doctor_id": doctor_id}
        async with transaction(self._sessions) as session:
            if viewer.role is Role.CLINIC_ADMIN:
                await self._admin_clinic(session, viewer, clinic_id)
            elif viewer.user_id != doctor_id:
                raise NotYours()
            current = await store.lock(session, store.affiliations, key)
            end_allowed(current["status"] if current else None)
            await store.update_row(
                session, store.affiliations, key, {"status": AffiliationStatus.ENDED, "end_time": self._now()}
            )
            row = await events.affiliation_updated(session, clinic_id, doctor_id)
            await store.update_row(session, store.doctors, {"id": doctor_id}, {})
            await events.doctor_updated(session, doctor_id)
        return row

    async def affiliation(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Row:
        """One affiliation, for the clinic's admin or the doctor (other services re-reading a lagging copy)."""
        async with self._sessions() as session:
            clinic = await store.clinic(session, clinic_id)
            mine = viewer.user_id == doctor_id or (clinic is not None and clinic["admin_id"] == viewer.user_id)
            if not mine:
                raise NotYours()
            row = await store.affiliation(session, clinic_id, doctor_id)
        if row is None:
            raise NotFound("the doctor was never invited to this clinic", reason="AFFILIATION_NOT_FOUND")
        return row

    async def clinic_doctors(self, viewer: Principal, clinic_id: uuid.UUID) -> list[Row]:
        async with self._sessions() as session:
            clinic = await store.clinic(session, clinic_id)
            if clinic is None:
                raise NotFound("no clinic has this id", reason="CLINIC_NOT_FOUND")
            statuses: tuple[str, ...] = (AffiliationStatus.CONFIRMED,)
            if clinic["admin_id"] == viewer.user_id:
                statuses += (AffiliationStatus.PENDING,)
            verified_only = viewer.role is Role.PATIENT
            return await store.clinic_doctors(session, clinic_id, statuses, verified_only=verified_only)

    # Pharmacies

    async def list_pharmacies(self, query: str, size: int, token: str) -> tuple[list[Row], str]:
        return await self._newest(PHARMACIES, store.pharmacies, query, size, token)

    async def get_pharmacy(self, pharmacy_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            row = await store.pharmacy(session, pharmacy_id)
        if row is None:
            raise NotFound("no pharmacy has this id", reason="PHARMACY_NOT_FOUND")
        return row

    def _check_pharmacy(self, changes: dict[str, Any], *, creating: bool) -> None:
        checks = Checks()
        if creating or "name" in changes:
            checks.required_text("name", changes.get("name"))
        if creating or "license_number" in changes:
            checks.required_text("licenseNumber", changes.get("license_number"), 100)
        checks.time_zone("timeZone", changes.get("time_zone"))
        checks.currency("currency", changes.get("currency"))
        checks.phone("phone", changes.get("phone"))
        checks.text("address", changes.get("address"), 500)
        checks.operating_hours("operatingHours", changes.get("operating_hours"))
        checks.done()

    async def _license_free(self, session: AsyncSession, license_number: str, owner_id: uuid.UUID) -> None:
        await store.lock_key(session, f"pharmacy-license:{license_number}")
        holder = await store.license_holder(session, license_number)
        if holder is not None and holder != owner_id:
            raise AlreadyExists("another pharmacy holds this license number", reason="LICENSE_TAKEN")

    async def create_pharmacy(self, viewer: Principal, changes: dict[str, Any]) -> Row:
        self._check_pharmacy(changes, creating=True)
        pharmacy_id = uuid.uuid4()
        async with transaction(self._sessions) as session:
            await store.lock_key(session, f"pharmacy-owner:{viewer.user_id}")
            if await store.pharmacy_of(session, viewer.user_id) is not None:
                raise AlreadyExists("you have a pharmacy already", reason="PHARMACY_EXISTS")
            await self._license_free(session, changes["license_number"], viewer.user_id)
            values = {**changes, "id": pharmacy_id, "owner_id": viewer.user_id, "version": 1}
            await store.insert_if_missing(session, store.pharmacies, values, ["id"])
            return await events.pharmacy_updated(session, pharmacy_id)

    async def update_pharmacy(self, viewer: Principal, pharmacy_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        self._check_pharmacy(changes, creating=False)
        async with transaction(self._sessions) as session:
            current = await store.lock(session, store.pharmacies, {"id": pharmacy_id})
            if current is None or current["owner_id"] != viewer.user_id:
                raise NotYours()
            new_license = changes.get("license_number")
            if new_license and new_license != current["license_number"]:
                await self._license_free(session, new_license, viewer.user_id)
            after = await store.update_row(session, store.pharmacies, {"id": pharmacy_id}, changes)
            assert after is not None
            if new_license and new_license != current["license_number"]:
                await events.license_changed(session, viewer.user_id, new_license, after["version"])
            return await events.pharmacy_updated(session, pharmacy_id)
