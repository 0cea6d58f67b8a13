"""`python -m services.video`: run the video service."""

from services.common.runtime import serve
from services.video.app import build
from services.video.settings import VideoSettings

if __name__ == "__main__":
    serve("video", VideoSettings, build)
