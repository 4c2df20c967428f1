"""A minimal blocking RESP2 client for the benchmark: enough to load data fast and to poll servers.

Python standard library only, so that the benchmark runs wherever Python 3 does.
"""

import socket


class ReplyError(Exception):
    """An error reply from the server."""


def encode(args):
    """One command as RESP: an array of bulk strings. Arguments are bytes, str or int."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        parts.append(b"$%d\r\n" % len(a))
        parts.append(a)
        parts.append(b"\r\n")
    return b"".join(parts)


class Conn:
    """One connection to 127.0.0.1:port. Not thread-safe."""

    def __init__(self, port, timeout=120.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def call(self, *args):
        """Sends one command and returns its reply; an error reply raises ReplyError."""
        self.sock.sendall(encode(args))
        return self.read()

    def pipeline(self, commands, batch=1000):
        """Sends commands (tuples of arguments) in pipelined batches; raises on the first error reply."""
        pending = []
        for cmd in commands:
            pending.append(encode(cmd))
            if len(pending) >= batch:
                self._send_batch(pending)
                pending = []
        if pending:
            self._send_batch(pending)

    def _send_batch(self, encoded):
        self.sock.sendall(b"".join(encoded))
        for _ in range(len(encoded)):
            self.read()

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise ReplyError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ReplyError("unexpected reply line %r" % line[:80])

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("connection closed by the server")
        if self.pos == len(self.buf):
            self.buf = bytearray(data)
            self.pos = 0
        else:
            if self.pos > (1 << 20):
                del self.buf[: self.pos]
                self.pos = 0
            self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos : i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n + 2
        return data


def info(conn, section):
    """INFO <section> as a dict of strings."""
    text = conn.call("INFO", section).decode()
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def db_keys(conn, db=0):
    """Keys in database db, from INFO keyspace (0 when the database is empty)."""
    entry = info(conn, "keyspace").get("db%d" % db)
    if not entry:
        return 0
    fields = dict(kv.split("=") for kv in entry.split(","))
    return int(fields["keys"])


def count_matching(conn, pattern):
    """Keys of the selected database matching pattern, by SCAN."""
    cursor, n = b"0", 0
    while True:
        cursor, keys = conn.call("SCAN", cursor, "MATCH", pattern, "COUNT", 10000)
        n += len(keys)
        if cursor == b"0":
            return n
