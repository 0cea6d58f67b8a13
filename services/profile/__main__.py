"""`python -m services.profile`: run the profile service."""

from services.common.runtime import serve
from services.profile.app import build
from services.profile.settings import ProfileSettings

if __name__ == "__main__":
    serve("profile", ProfileSettings, build)
