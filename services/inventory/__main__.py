"""`python -m services.inventory`: run the inventory service."""

from services.common.runtime import serve
from services.inventory.app import build
from services.inventory.settings import InventorySettings

if __name__ == "__main__":
    serve("inventory", InventorySettings, build)
