"""`python -m services.auth`: run the auth service."""

from services.auth.app import build
from services.auth.settings import AuthSettings
from services.common.config import load_settings
from services.common.logging import configure_logging
from services.common.runtime import run


async def main() -> None:
    settings = load_settings(AuthSettings)
    configure_logging("auth", settings.log_level)
    await build(settings).serve_until_signalled()


if __name__ == "__main__":
    run(main)
