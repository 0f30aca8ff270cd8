"""`uvicorn` as its command line runs it (same arguments), with TCP_NODELAY on every connection
whatever the number of workers; scripts/bench_load.py starts the Python service with it.

With ``--workers 1`` uvicorn hands asyncio a host and port, and asyncio turns Nagle's algorithm off
on each accepted connection. With ``--workers N`` the supervisor binds the listening socket itself
and leaves its ``proto`` at 0; accepted sockets inherit it, and asyncio only sets TCP_NODELAY when
``proto`` is TCP (Kludex/uvicorn#3149, open for the pinned uvicorn). Every keep-alive response,
written as headers then body, then waits for the client's delayed ACK, about 40 ms on Linux, and
the N-worker rows would measure that instead of the workers. Re-wrapping the bound socket lets the
kernel report its protocol (``SO_PROTOCOL``), which the workers inherit.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.config import Config

_bind_socket = Config.bind_socket


def _bind_tcp_socket(self: Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        return socket.socket(fileno=sock.detach())
    return sock


Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign]

if __name__ == "__main__":
    uvicorn.main()
