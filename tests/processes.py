"""What tests that start `machikoe` processes or servers share: the command and a free port."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

MACHIKOE = str(Path(sys.executable).with_name("machikoe"))
"""The installed `machikoe` command of this virtualenv."""


def free_port() -> int:
    """A free TCP port on loopback (nobody listens on it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
