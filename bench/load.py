#!/usr/bin/env python3
"""A steady write load at a fixed rate, for workload 3 (see docs/BENCHMARKS.md).

redis-benchmark writes as fast as it can, which on a small machine saturates every core and measures
the machine more than the replica. This sends the same mix of writes (SET key:<r> <100 B>, INCR
counter:<r>, LPUSH mylist <100 B>, HSET myhash element:<r> <100 B>, r random below --keyspace) at a
chosen rate: every millisecond it sends the commands due by then as one pipelined write and reads the
replies that have arrived. Run it as its own process so that it does not share the probe's interpreter.

    python3 bench/load.py --port 27170 --rate 50000 --seconds 20

Prints one line at the end: `sent <n> acked <n> seconds <s> rate <achieved/s>`.
"""

import argparse
import os
import random
import socket
import time


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def command_pool(size, keyspace, seed=7):
    """`size` pre-encoded commands of the mix, cycled through while the load runs."""
    rnd = random.Random(seed)
    values = [os.urandom(100) for _ in range(256)]
    pool = []
    for i in range(size):
        r = b"%012d" % rnd.randrange(keyspace)
        kind = i % 4
        if kind == 0:
            pool.append(encode([b"SET", b"key:" + r, values[i % 256]]))
        elif kind == 1:
            pool.append(encode([b"INCR", b"counter:" + r]))
        elif kind == 2:
            pool.append(encode([b"LPUSH", b"mylist", values[i % 256]]))
        else:
            pool.append(encode([b"HSET", b"myhash", b"element:" + r, values[i % 256]]))
    return pool


def run(port, rate, seconds, keyspace):
    pool = command_pool(65536, keyspace)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    sent = acked = 0
    next_cmd = 0
    start = time.monotonic()
    end = start + seconds
    pending = b""
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate) - sent
        if due > 0 and not pending:
            parts = []
            for _ in range(due):
                parts.append(pool[next_cmd])
                next_cmd = (next_cmd + 1) & 65535
            pending = b"".join(parts)
            sent += due
        if pending:
            try:
                n = sock.send(pending)
                pending = pending[n:]
            except BlockingIOError:
                pass
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    raise SystemExit("load: the server closed the connection")
                # Every reply of this mix is one line: +OK or :<n>.
                acked += data.count(b"\n")
        except BlockingIOError:
            pass
        time.sleep(0.001)
    sock.setblocking(True)
    if pending:
        sock.sendall(pending)
    while acked < sent:
        acked += sock.recv(1 << 20).count(b"\n")
    elapsed = time.monotonic() - start
    print("sent %d acked %d seconds %.3f rate %.0f" % (sent, acked, elapsed, acked / elapsed), flush=True)


def main():
    p = argparse.ArgumentParser(description="A steady write load at a fixed rate.")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rate", type=float, required=True, help="writes per second")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--keyspace", type=int, default=100000)
    a = p.parse_args()
    run(a.port, a.rate, a.seconds, a.keyspace)


if __name__ == "__main__":
    main()
