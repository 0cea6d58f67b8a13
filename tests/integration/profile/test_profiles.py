"""The profile service against real PostgreSQL and NATS, fed by a real auth service's events."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import jwt
import nats
import pytest
from google.protobuf import field_mask_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.profile.v1 import profile_pb2, resources_pb2

from scripts.stack import Nats
from services.auth.crypto import KeyRing
from services.auth.use_cases.accounts import create_system_admin
from tests.integration.conftest import PASSWORD, AuthHarness, ProfileHarness, bearer, eventually, run_sql
from tests.rpc import failure_of


async def admin_token(auth: AuthHarness) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    await create_system_admin(auth.database_url, email, PASSWORD, "Sys", "Admin")
    return str((await auth.stub.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD))).access_token)


async def sql(profile: ProfileHarness, statement: str, **values: object) -> list[Any]:
    return await run_sql(profile.database_url, statement, **values)


async def approved(auth: AuthHarness, role: str) -> auth_pb2.AuthResponse:
    """A registered account of `role`, approved by an admin, with a token that says so."""
    account = await auth.register(role)
    token = await admin_token(auth)
    await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=account.user.id), metadata=bearer(token))
    return await auth.stub.Login(auth_pb2.LoginRequest(email=account.user.email, password=PASSWORD))


async def test_registration_creates_the_profile_and_patient_record(auth: AuthHarness, profile: ProfileHarness) -> None:
    patient = await auth.register("PATIENT")

    async def created() -> resources_pb2.Patient:
        return await profile.stub("PatientService").GetPatient(
            profile_pb2.GetPatientRequest(patient_id=patient.user.id), metadata=bearer(patient.access_token)
        )

    record = await eventually(created)
    assert (record.first_name, record.last_name) == ("Ada", "Lovelace")
    common = await profile.stub("ProfileService").GetProfile(
        profile_pb2.GetProfileRequest(user_id=patient.user.id), metadata=bearer(patient.access_token)
    )
    assert common.email == patient.user.email
    assert common.verified


async def test_a_clinic_admins_registration_creates_the_clinic_once(auth: AuthHarness, profile: ProfileHarness) -> None:
    admin = await auth.register("CLINIC_ADMIN")

    async def clinics() -> list[Any]:
        rows = await sql(
            profile, "SELECT name, time_zone FROM clinics WHERE admin_id = :id", id=uuid.UUID(admin.user.id)
        )
        assert rows
        return rows

    assert [tuple(r) for r in await eventually(clinics)] == [("Lanka Clinic", "Asia/Colombo")]


async def test_approval_makes_a_doctor_verified(auth: AuthHarness, profile: ProfileHarness) -> None:
    doctor = await auth.register("DOCTOR")
    stub = profile.stub("DoctorService")

    async def unverified() -> None:
        found = await stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
        assert not found.verified

    await eventually(unverified)
    token = await admin_token(auth)
    await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=doctor.user.id), metadata=bearer(token))

    async def verified() -> None:
        found = await stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
        assert found.verified

    await eventually(verified)


async def test_patients_never_see_unverified_doctors(auth: AuthHarness, profile: ProfileHarness) -> None:
    doctor = await auth.register("DOCTOR")
    patient = await auth.register("PATIENT")
    stub = profile.stub("DoctorService")
    await eventually(
        lambda: stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(patient.access_token)
        )
    assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    listed = await stub.ListDoctors(
        profile_pb2.ListDoctorsRequest(verified_only=False, page_size=200), metadata=bearer(patient.access_token)
    )
    assert doctor.user.id not in {d.id for d in listed.doctors}
    assert all(d.verified for d in listed.doctors)


def token_of(auth: AuthHarness, user_id: str, role: str) -> str:
    key = KeyRing(auth.key_ring).current()
    now = int(time.time())
    claims = {
        "iss": "pulseone-auth",
        "aud": "pulseone",
        "sub": user_id,
        "role": role,
        "status": "ACTIVE",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


async def test_a_profile_posted_before_the_event_is_not_duplicated(
    auth: AuthHarness, profile: ProfileHarness, nats_server: Nats
) -> None:
    user_id = str(uuid.uuid4())
    email = f"early-{user_id[:8]}@example.com"
    stub = profile.stub("ProfileService")
    token = token_of(auth, user_id, "PATIENT")
    created = await stub.CreateProfile(
        profile_pb2.CreateProfileRequest(
            profile=resources_pb2.Profile(first_name="Early", last_name="Bird", email=email)
        ),
        metadata=bearer(token),
    )
    again = await stub.CreateProfile(
        profile_pb2.CreateProfileRequest(
            profile=resources_pb2.Profile(first_name="Other", last_name="Name", email=email)
        ),
        metadata=bearer(token),
    )
    assert (created.id, again.first_name) == (user_id, "Early")
    # Now the registration event arrives (the same event twice, as a redelivery would).
    event = auth_events.UserRegistered(
        user=auth_pb2.User(
            id=user_id, email=email, role="PATIENT", status="ACTIVE", first_name="Reg", last_name="Istered"
        )
    )
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_version = 1
    client = await nats.connect(nats_server.url)
    try:
        for _ in range(2):
            await client.jetstream().publish(
                "pulseone.auth.user.registered", event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
            )
    finally:
        await client.close()

    async def patient_created() -> None:
        rows = await sql(profile, "SELECT count(*) FROM patients WHERE id = :id", id=uuid.UUID(user_id))
        assert rows[0][0] == 1

    await eventually(patient_created)
    rows = await sql(profile, "SELECT first_name, email FROM profiles WHERE id = :id", id=uuid.UUID(user_id))
    assert [tuple(r) for r in rows] == [("Early", email)]
    handled = await sql(
        profile, "SELECT count(*) FROM inbox WHERE event_id = :id", id=uuid.UUID(event.metadata.event_id)
    )
    assert handled[0][0] == 1


async def test_partial_updates_keep_what_was_not_sent(auth: AuthHarness, profile: ProfileHarness) -> None:
    patient = await auth.register("PATIENT")
    stub = profile.stub("PatientService")
    meta = bearer(patient.access_token)
    await eventually(lambda: stub.GetPatient(profile_pb2.GetPatientRequest(patient_id=patient.user.id), metadata=meta))
    first = resources_pb2.Patient(blood_group="O+", address="1 Galle Rd", allergies=["penicillin"])
    await stub.UpdatePatient(
        profile_pb2.UpdatePatientRequest(
            patient_id=patient.user.id, patient=first, update_mask=field_mask_pb2.FieldMask(paths=["allergies"])
        ),
        metadata=meta,
    )
    # Only the address is sent; the allergies are not named in the mask, so they stay.
    second = resources_pb2.Patient(address="2 Main St", allergies=[])
    updated = await stub.UpdatePatient(
        profile_pb2.UpdatePatientRequest(patient_id=patient.user.id, patient=second), metadata=meta
    )
    assert (updated.address, updated.blood_group, list(updated.allergies)) == ("2 Main St", "O+", ["penicillin"])
    cleared = await stub.UpdatePatient(
        profile_pb2.UpdatePatientRequest(
            patient_id=patient.user.id,
            patient=resources_pb2.Patient(),
            update_mask=field_mask_pb2.FieldMask(paths=["allergies"]),
        ),
        metadata=meta,
    )
    assert list(cleared.allergies) == []
    assert cleared.blood_group == "O+"


async def test_a_patient_cannot_read_or_change_another_patient(auth: AuthHarness, profile: ProfileHarness) -> None:
    owner = await auth.register("PATIENT")
    other = await auth.register("PATIENT")
    stub = profile.stub("PatientService")
    for call in (
        stub.GetPatient(profile_pb2.GetPatientRequest(patient_id=owner.user.id), metadata=bearer(other.access_token)),
        stub.UpdatePatient(
            profile_pb2.UpdatePatientRequest(patient_id=owner.user.id, patient=resources_pb2.Patient(address="x")),
            metadata=bearer(other.access_token),
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    # Asking about a patient that does not exist looks the same, so ids cannot be probed.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetPatient(
            profile_pb2.GetPatientRequest(patient_id=str(uuid.uuid4())), metadata=bearer(other.access_token)
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_doctors_read_medical_data_only_within_the_care_relationship(
    auth: AuthHarness, profile: ProfileHarness
) -> None:
    patient = await auth.register("PATIENT")
    doctor = await approved(auth, "DOCTOR")
    stub = profile.stub("PatientService")
    request = profile_pb2.GetPatientRequest(patient_id=patient.user.id)
    await eventually(lambda: stub.GetPatient(request, metadata=bearer(patient.access_token)))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetPatient(request, metadata=bearer(doctor.access_token))
    assert failure_of(raised.value).reason == "NOT_IN_CARE"
    last_visit = datetime.now(UTC) - timedelta(days=30)
    await sql(
        profile,
        "INSERT INTO visits (appointment_id, patient_id, doctor_id, status, starts_at, ends_at, version)"
        " VALUES (:a, :p, :d, 'COMPLETED', :at, :at, 3)",
        a=uuid.uuid4(),
        p=uuid.UUID(patient.user.id),
        d=uuid.UUID(doctor.user.id),
        at=last_visit,
    )
    assert (await stub.GetPatient(request, metadata=bearer(doctor.access_token))).id == patient.user.id
    profile.clock.advance(timedelta(days=61))
    try:
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.GetPatient(request, metadata=bearer(doctor.access_token))
    finally:
        profile.clock.advance(-timedelta(days=61))
    outcomes = await sql(
        profile,
        "SELECT outcome FROM audit_entries WHERE resource_id = :id AND actor_id = :actor ORDER BY id",
        id=patient.user.id,
        actor=uuid.UUID(doctor.user.id),
    )
    assert [r[0] for r in outcomes] == ["DENIED", "ALLOWED", "DENIED"]


async def test_clinic_time_zone_and_currency_are_validated(auth: AuthHarness, profile: ProfileHarness) -> None:
    admin = await approved(auth, "CLINIC_ADMIN")
    stub = profile.stub("ClinicService")
    clinic = await eventually(lambda: _clinic_of(profile, admin))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.UpdateClinic(
            profile_pb2.UpdateClinicRequest(
                clinic_id=clinic, clinic=resources_pb2.Clinic(time_zone="Moon/Base", currency="XYZ")
            ),
            metadata=bearer(admin.access_token),
        )
    assert failure_of(raised.value).fields == {"timeZone": "INVALID_TIME_ZONE", "currency": "INVALID_CURRENCY"}
    updated = await stub.UpdateClinic(
        profile_pb2.UpdateClinicRequest(clinic_id=clinic, clinic=resources_pb2.Clinic(currency="LKR")),
        metadata=bearer(admin.access_token),
    )
    assert (updated.currency, updated.time_zone, updated.name) == ("LKR", "Asia/Colombo", "Lanka Clinic")


async def _clinic_of(profile: ProfileHarness, admin: auth_pb2.AuthResponse) -> str:
    rows = await sql(profile, "SELECT id FROM clinics WHERE admin_id = :id", id=uuid.UUID(admin.user.id))
    assert rows
    return str(rows[0][0])


async def test_the_affiliation_workflow(auth: AuthHarness, profile: ProfileHarness) -> None:
    admin = await approved(auth, "CLINIC_ADMIN")
    doctor = await approved(auth, "DOCTOR")
    outsider = await approved(auth, "DOCTOR")
    clinic_id = await eventually(lambda: _clinic_of(profile, admin))
    clinics = profile.stub("ClinicService")
    await eventually(
        lambda: profile.stub("DoctorService").GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    invited = await clinics.InviteDoctor(
        profile_pb2.InviteDoctorRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
        metadata=bearer(admin.access_token),
    )
    assert resources_pb2.ClinicDoctor.Status.Name(invited.status) == "PENDING"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clinics.InviteDoctor(
            profile_pb2.InviteDoctorRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
            metadata=bearer(admin.access_token),
        )
    assert failure_of(raised.value).reason == "AFFILIATION_EXISTS"
    public = await clinics.ListClinicDoctors(
        profile_pb2.ListClinicDoctorsRequest(clinic_id=clinic_id), metadata=bearer(outsider.access_token)
    )
    assert list(public.doctors) == []
    own = await clinics.ListClinicDoctors(
        profile_pb2.ListClinicDoctorsRequest(clinic_id=clinic_id), metadata=bearer(admin.access_token)
    )
    assert [d.doctor_id for d in own.doctors] == [doctor.user.id]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clinics.ConfirmAffiliation(
            profile_pb2.ConfirmAffiliationRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
            metadata=bearer(outsider.access_token),
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    confirmed = await clinics.ConfirmAffiliation(
        profile_pb2.ConfirmAffiliationRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
        metadata=bearer(doctor.access_token),
    )
    assert resources_pb2.ClinicDoctor.Status.Name(confirmed.status) == "CONFIRMED"
    listed = await clinics.ListClinicDoctors(
        profile_pb2.ListClinicDoctorsRequest(clinic_id=clinic_id), metadata=bearer(outsider.access_token)
    )
    assert [d.doctor_id for d in listed.doctors] == [doctor.user.id]
    searched = await profile.stub("DoctorService").ListDoctors(
        profile_pb2.ListDoctorsRequest(clinic_id=clinic_id), metadata=bearer(outsider.access_token)
    )
    assert [d.id for d in searched.doctors] == [doctor.user.id]
    assert [c.id for c in searched.doctors[0].clinics] == [clinic_id]
    ended = await clinics.EndAffiliation(
        profile_pb2.EndAffiliationRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
        metadata=bearer(doctor.access_token),
    )
    assert resources_pb2.ClinicDoctor.Status.Name(ended.status) == "ENDED"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clinics.ConfirmAffiliation(
            profile_pb2.ConfirmAffiliationRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
            metadata=bearer(doctor.access_token),
        )
    assert failure_of(raised.value).reason == "INVALID_TRANSITION"


async def test_one_clinic_per_admin(auth: AuthHarness, profile: ProfileHarness) -> None:
    admin = await approved(auth, "CLINIC_ADMIN")
    await eventually(lambda: _clinic_of(profile, admin))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await profile.stub("ClinicService").CreateClinic(
            profile_pb2.CreateClinicRequest(clinic=resources_pb2.Clinic(name="Second", time_zone="Europe/London")),
            metadata=bearer(admin.access_token),
        )
    assert failure_of(raised.value).reason == "CLINIC_EXISTS"


async def test_a_new_license_number_needs_approval_again(auth: AuthHarness, profile: ProfileHarness) -> None:
    doctor = await approved(auth, "DOCTOR")
    stub = profile.stub("DoctorService")
    await eventually(
        lambda: stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    await stub.UpdateDoctor(
        profile_pb2.UpdateDoctorRequest(
            doctor_id=doctor.user.id, doctor=resources_pb2.Doctor(license_number="SLMC-1", specialization="Cardiology")
        ),
        metadata=bearer(doctor.access_token),
    )

    async def pending_again() -> None:
        me = await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(doctor.access_token))
        assert auth_pb2.User.Status.Name(me.status) == "PENDING_APPROVAL"

    await eventually(pending_again)

    async def unverified() -> None:
        found = await stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
        assert not found.verified
        assert found.specialization == "Cardiology"

    await eventually(unverified)


async def test_pharmacy_license_numbers_are_unique(auth: AuthHarness, profile: ProfileHarness) -> None:
    first = await auth.register("PHARMACY")
    second = await approved(auth, "PHARMACY")

    async def license_of(owner: auth_pb2.AuthResponse) -> str:
        rows = await sql(
            profile, "SELECT id, license_number FROM pharmacies WHERE owner_id = :id", id=uuid.UUID(owner.user.id)
        )
        assert rows
        return str(rows[0][1])

    taken = await eventually(lambda: license_of(first))
    pharmacy_id = await sql(profile, "SELECT id FROM pharmacies WHERE owner_id = :id", id=uuid.UUID(second.user.id))
    if not pharmacy_id:
        await eventually(lambda: license_of(second))
        pharmacy_id = await sql(profile, "SELECT id FROM pharmacies WHERE owner_id = :id", id=uuid.UUID(second.user.id))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await profile.stub("PharmacyService").UpdatePharmacy(
            profile_pb2.UpdatePharmacyRequest(
                pharmacy_id=str(pharmacy_id[0][0]), pharmacy=resources_pb2.Pharmacy(license_number=taken)
            ),
            metadata=bearer(second.access_token),
        )
    assert failure_of(raised.value).reason == "LICENSE_TAKEN"


async def test_consents_are_the_patients_own(auth: AuthHarness, profile: ProfileHarness) -> None:
    patient = await auth.register("PATIENT")
    doctor = await approved(auth, "DOCTOR")
    stub = profile.stub("PatientService")
    await eventually(
        lambda: profile.stub("DoctorService").GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    granted = await stub.GrantConsent(
        profile_pb2.GrantConsentRequest(patient_id=patient.user.id, doctor_id=doctor.user.id),
        metadata=bearer(patient.access_token),
    )
    assert granted.doctor_id == doctor.user.id
    listed = await stub.ListConsents(
        profile_pb2.ListConsentsRequest(patient_id=patient.user.id), metadata=bearer(patient.access_token)
    )
    assert [c.doctor_id for c in listed.consents] == [doctor.user.id]
    await stub.RevokeConsent(
        profile_pb2.RevokeConsentRequest(patient_id=patient.user.id, doctor_id=doctor.user.id),
        metadata=bearer(patient.access_token),
    )
    listed = await stub.ListConsents(
        profile_pb2.ListConsentsRequest(patient_id=patient.user.id), metadata=bearer(patient.access_token)
    )
    assert list(listed.consents) == []


async def test_clinic_admins_look_patients_up_by_exact_email(auth: AuthHarness, profile: ProfileHarness) -> None:
    patient = await auth.register("PATIENT")
    admin = await approved(auth, "CLINIC_ADMIN")
    stub = profile.stub("PatientService")

    async def found() -> profile_pb2.LookupPatientsResponse:
        result = await stub.LookupPatients(
            profile_pb2.LookupPatientsRequest(email=patient.user.email.upper()), metadata=bearer(admin.access_token)
        )
        assert result.patients
        return result

    result = await eventually(found)
    assert [(p.id, p.first_name) for p in result.patients] == [(patient.user.id, "Ada")]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.LookupPatients(
            profile_pb2.LookupPatientsRequest(email=patient.user.email), metadata=bearer(patient.access_token)
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_clinic_admins_and_doctors_ask_whose_a_patient_id_is_and_are_audited(
    auth: AuthHarness, profile: ProfileHarness
) -> None:
    # The internal read behind walk-ins and doctors' video sessions when their account copy lags.
    patient = await auth.register("PATIENT")
    admin, doctor = await approved(auth, "CLINIC_ADMIN"), await approved(auth, "DOCTOR")
    stub = profile.stub("PatientService")

    def match(user_id: str, caller: auth_pb2.AuthResponse) -> Any:
        request = profile_pb2.GetPatientMatchRequest(patient_id=user_id)
        return stub.GetPatientMatch(request, metadata=bearer(caller.access_token))

    found = await eventually(lambda: match(patient.user.id, admin))
    assert (found.id, found.first_name, found.last_name) == (patient.user.id, "Ada", "Lovelace")
    assert (await match(patient.user.id, doctor)).id == patient.user.id
    for other in (doctor.user.id, admin.user.id, str(uuid.uuid4())):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await match(other, admin)
        failure = failure_of(raised.value)
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")
    for caller in (patient, await approved(auth, "PHARMACY")):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await match(patient.user.id, caller)
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    rows = await run_sql(
        profile.database_url,
        "SELECT action, resource_type, patient_id, outcome FROM audit_entries WHERE actor_id = :actor"
        " AND resource_id = :patient ORDER BY id",
        actor=uuid.UUID(admin.user.id),
        patient=patient.user.id,
    )
    assert ("LOOKUP", "patient", uuid.UUID(patient.user.id), "ALLOWED") in {tuple(r) for r in rows}


async def test_ratings_need_a_completed_visit_and_keep_the_average(auth: AuthHarness, profile: ProfileHarness) -> None:
    doctor = await approved(auth, "DOCTOR")
    first, second = await auth.register("PATIENT"), await auth.register("PATIENT")
    stub = profile.stub("DoctorService")
    await eventually(
        lambda: stub.GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RateDoctor(
            profile_pb2.RateDoctorRequest(doctor_id=doctor.user.id, rating=5), metadata=bearer(first.access_token)
        )
    assert failure_of(raised.value).reason == "NO_COMPLETED_VISIT"
    for patient in (first, second):
        await sql(
            profile,
            "INSERT INTO visits (appointment_id, patient_id, doctor_id, status, starts_at, version)"
            " VALUES (:a, :p, :d, 'COMPLETED', now(), 4)",
            a=uuid.uuid4(),
            p=uuid.UUID(patient.user.id),
            d=uuid.UUID(doctor.user.id),
        )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RateDoctor(
            profile_pb2.RateDoctorRequest(doctor_id=doctor.user.id, rating=6), metadata=bearer(first.access_token)
        )
    assert failure_of(raised.value).fields == {"rating": "INVALID_FIELD"}
    await stub.RateDoctor(
        profile_pb2.RateDoctorRequest(doctor_id=doctor.user.id, rating=2), metadata=bearer(first.access_token)
    )
    await stub.RateDoctor(
        profile_pb2.RateDoctorRequest(doctor_id=doctor.user.id, rating=4, review="kind"),
        metadata=bearer(second.access_token),
    )
    # A second rating by the same patient replaces the first.
    await stub.RateDoctor(
        profile_pb2.RateDoctorRequest(doctor_id=doctor.user.id, rating=5), metadata=bearer(first.access_token)
    )
    found = await stub.GetDoctor(
        profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(first.access_token)
    )
    assert (found.average_rating, found.rating_count) == (4.5, 2)
    listed = await stub.ListRatings(
        profile_pb2.ListRatingsRequest(doctor_id=doctor.user.id), metadata=bearer(first.access_token)
    )
    assert sorted(r.rating for r in listed.ratings) == [4, 5]


async def test_other_services_can_re_read_an_affiliation_for_its_parties(
    auth: AuthHarness, profile: ProfileHarness
) -> None:
    admin = await approved(auth, "CLINIC_ADMIN")
    doctor = await approved(auth, "DOCTOR")
    stranger = await approved(auth, "DOCTOR")
    clinic_id = await eventually(lambda: _clinic_of(profile, admin))
    clinics = profile.stub("ClinicService")
    await eventually(
        lambda: profile.stub("DoctorService").GetDoctor(
            profile_pb2.GetDoctorRequest(doctor_id=doctor.user.id), metadata=bearer(doctor.access_token)
        )
    )
    await clinics.InviteDoctor(
        profile_pb2.InviteDoctorRequest(clinic_id=clinic_id, doctor_id=doctor.user.id),
        metadata=bearer(admin.access_token),
    )
    request = profile_pb2.GetAffiliationRequest(clinic_id=clinic_id, doctor_id=doctor.user.id)
    for party in (admin, doctor):
        found = await clinics.GetAffiliation(request, metadata=bearer(party.access_token))
        assert resources_pb2.ClinicDoctor.Status.Name(found.status) == "PENDING"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clinics.GetAffiliation(request, metadata=bearer(stranger.access_token))
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
