"""uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection.

With several workers, uvicorn binds the listening socket itself (protocol number 0), and
asyncio only turns Nagle off on accepted sockets whose protocol number is TCP's, so a response
written in two parts waited for the client's delayed ACK: about 40 ms a request (measured:
20 requests a second from one client, against 375 with one worker). Setting TCP_NODELAY on
each connection removes that, whatever the socket's origin.
"""

from __future__ import annotations

import socket
from asyncio import BaseTransport

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["NoDelayH11Protocol"]


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
