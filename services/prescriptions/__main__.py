"""`python -m services.prescriptions`: run the prescriptions service."""

from services.common.runtime import serve
from services.prescriptions.app import build
from services.prescriptions.settings import PrescriptionsSettings

if __name__ == "__main__":
    serve("prescriptions", PrescriptionsSettings, build)
