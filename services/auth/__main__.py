"""`python -m services.auth`: run the auth service."""

from services.auth.app import build
from services.auth.settings import AuthSettings
from services.common.runtime import serve

if __name__ == "__main__":
    serve("auth", AuthSettings, build)
