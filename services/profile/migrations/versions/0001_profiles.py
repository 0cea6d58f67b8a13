"""Profiles, patients, doctors, clinics, affiliations, pharmacies, consents, care relationships.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.common.audit import create_audit_table, drop_audit_table
from services.common.event_tables import create_event_tables, drop_event_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "care_relationships",
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("open_appointments", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_appointment_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("patient_id", "doctor_id"),
    )
    op.create_table(
        "clinics",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("admin_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("operating_hours", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("departments", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("clinics_admin", "clinics", ["admin_id"], unique=False)
    op.create_index("clinics_newest", "clinics", ["created_at", "id"], unique=False)
    op.create_table(
        "consents",
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("grant_time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "doctor_id"),
    )
    op.create_table(
        "pharmacies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("license_number", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("operating_hours", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("license_number"),
        sa.UniqueConstraint("owner_id"),
    )
    op.create_index("pharmacies_newest", "pharmacies", ["created_at", "id"], unique=False)
    op.create_table(
        "profiles",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("phone_number", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("profiles_email", "profiles", ["email"], unique=False)
    op.create_index("profiles_phone", "profiles", ["phone_number"], unique=False)
    op.create_table(
        "doctors",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("specialization", sa.Text(), nullable=True),
        sa.Column("qualifications", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("license_number", sa.Text(), nullable=True),
        sa.Column("years_of_experience", sa.Integer(), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("consultation_fee", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("offers_virtual", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("average_rating", sa.Numeric(precision=3, scale=2), server_default="0", nullable=False),
        sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("consultation_fee >= 0", name="doctors_fee_not_negative"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("doctors_specialization", "doctors", [sa.literal_column("lower(specialization)")], unique=False)
    op.create_table(
        "patients",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("blood_group", sa.Text(), nullable=True),
        sa.Column("allergies", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("chronic_conditions", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("medical_history", sa.Text(), nullable=True),
        sa.Column("emergency_contacts", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("insurance_provider", sa.Text(), nullable=True),
        sa.Column("preferred_doctor_ids", postgresql.ARRAY(sa.UUID()), server_default="{}", nullable=False),
        sa.Column("preferred_clinic_ids", postgresql.ARRAY(sa.UUID()), server_default="{}", nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "affiliations",
        sa.Column("clinic_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("invite_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'ENDED')", name="affiliations_status"),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.id"],
        ),
        sa.PrimaryKeyConstraint("clinic_id", "doctor_id"),
    )
    op.create_index("affiliations_doctor", "affiliations", ["doctor_id"], unique=False)
    create_event_tables()
    create_audit_table()


def downgrade() -> None:
    drop_audit_table()
    drop_event_tables()
    op.drop_table("affiliations")
    op.drop_table("patients")
    op.drop_table("doctors")
    op.drop_table("profiles")
    op.drop_table("pharmacies")
    op.drop_table("consents")
    op.drop_table("clinics")
    op.drop_table("care_relationships")
    op.drop_table("accounts")
