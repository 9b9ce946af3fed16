"""Jobs that misbehave the way a hostile upload makes verification misbehave, for the verifier
to run in its real worker processes (module-level, so a spawned worker can import them).

Each one takes any arguments, so it can stand in for `verification.verify_upload`.
"""

from __future__ import annotations

import os
import time
from typing import Any


def worker_pid(*_: Any) -> int:
    """The worker's process id (a well-behaved job)."""
    return os.getpid()


def sleep_past_any_limit(*_: Any) -> int:
    """A decoder stuck in a loop: it never ends by itself."""
    time.sleep(3600)
    return os.getpid()


def allocate_gigabytes(*_: Any) -> int:
    """A frame that decodes to gigabytes: 4 GB, touched so that it is really used."""
    block = bytearray(4 * 1024**3)
    block[:: 1024 * 1024] = b"x" * len(block[:: 1024 * 1024])
    return len(block)


def die(*_: Any) -> int:
    """A decoder that crashes its process (a segfault in C code, say)."""
    os._exit(70)
