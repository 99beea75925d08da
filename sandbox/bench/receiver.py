"""A webhook receiver for load.sh: answers every POST with 200 on loopback, keep-alive.

Raw asyncio (no framework) so the receiver costs little of the shared CPU. A GET answers
with the number of POSTs received so far. Prints ``ready`` once listening; SIGTERM ends it.
"""

import asyncio
import sys

RECEIVED = 0


class Receiver(asyncio.Protocol):
    """Reads requests (headers, then Content-Length bytes) and answers each with 200."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        global RECEIVED
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buf[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            total = end + 4 + length
            if len(self.buf) < total:
                return
            is_get = self.buf.startswith(b"GET ")
            self.buf = self.buf[total:]
            if is_get:
                body = str(RECEIVED).encode()
                head = (
                    f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\n\r\n".encode()
                )
                self.transport.write(head + body)
            else:
                RECEIVED += 1
                self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
