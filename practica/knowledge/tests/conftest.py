from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """The files of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
