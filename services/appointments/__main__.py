"""`python -m services.appointments`: run the appointments service."""

from services.appointments.app import build
from services.appointments.settings import AppointmentsSettings
from services.common.runtime import serve

if __name__ == "__main__":
    serve("appointments", AppointmentsSettings, build)
