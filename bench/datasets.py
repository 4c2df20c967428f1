"""The benchmark's data sets, as command generators. Values come from os.urandom, so every data set is
loaded once into the source and reused by every repetition: Ferry and native replication copy the
same bytes."""

import os
import random
import time


def scaled(n, scale, minimum=1):
    return max(minimum, int(n * scale))


def strings(scale):
    """Workload 1: 1,000,000 strings s:<n> with 100 random bytes each, loaded with MSET of 100 keys."""
    n = scaled(1_000_000, scale)
    per = 100
    for start in range(0, n, per):
        count = min(per, n - start)
        blob = os.urandom(100 * count)
        args = ["MSET"]
        for i in range(count):
            args.append(b"s:%08d" % (start + i))
            args.append(blob[100 * i : 100 * (i + 1)])
        yield args


def mixed(scale):
    """Workload 2: 200 each of hashes, lists, sets and sorted sets of 5,000 elements (24 random bytes per
    element; zset scores random), so each is in its large encoding (hashtable, quicklist, skiplist); plus
    200,000 strings of 100 random bytes, one in four with a TTL of two hours."""
    keys = scaled(200, scale)
    elements = 5000
    chunk = 500
    rnd = random.Random(2)
    for k in range(keys):
        for start in range(0, elements, chunk):
            blob = os.urandom(24 * chunk)
            args = ["HSET", b"h:%04d" % k]
            for i in range(chunk):
                args.append(b"f:%05d" % (start + i))
                args.append(blob[24 * i : 24 * (i + 1)])
            yield args
            blob = os.urandom(24 * chunk)
            yield ["RPUSH", b"l:%04d" % k] + [blob[24 * i : 24 * (i + 1)] for i in range(chunk)]
            blob = os.urandom(24 * chunk)
            yield ["SADD", b"set:%04d" % k] + [blob[24 * i : 24 * (i + 1)] for i in range(chunk)]
            blob = os.urandom(16 * chunk)
            args = ["ZADD", b"z:%04d" % k]
            for i in range(chunk):
                args.append(repr(rnd.uniform(-1e6, 1e6)))
                args.append(blob[16 * i : 16 * (i + 1)])
            yield args
    n = scaled(200_000, scale)
    expire_at = int(time.time() * 1000) + 2 * 3600 * 1000
    for start in range(0, n, 100):
        count = min(100, n - start)
        blob = os.urandom(100 * count)
        plain = ["MSET"]
        for i in range(count):
            key = b"ms:%07d" % (start + i)
            value = blob[100 * i : 100 * (i + 1)]
            if (start + i) % 4 == 0:
                yield ["SET", key, value, "PXAT", expire_at]
            else:
                plain += [key, value]
        if len(plain) > 1:
            yield plain


def big(scale):
    """Workload 4: a few keys of hundreds of MB, several times a 256 MB heap: a 300 MB string (random,
    so LZF leaves it as it is), a list of 250,000 items of 1,000 bytes, a hash of 100,000 fields of 1,000
    bytes and a sorted set of 200,000 members of 100 bytes (about 670 MB of values in all)."""
    mb = 1 << 20
    # Never under 40 MB: over Ferry's 32 MiB raw limit, so it always takes the rewrite path.
    string_mb = scaled(300, scale, 40)
    yield ["SET", b"big:string", os.urandom(mb)]
    for _ in range(string_mb - 1):
        yield ["APPEND", b"big:string", os.urandom(mb)]
    chunk = 100
    for start in range(0, scaled(250_000, scale, chunk), chunk):
        blob = os.urandom(1000 * chunk)
        yield ["RPUSH", b"big:list"] + [blob[1000 * i : 1000 * (i + 1)] for i in range(chunk)]
    for start in range(0, scaled(100_000, scale, chunk), chunk):
        blob = os.urandom(1000 * chunk)
        args = ["HSET", b"big:hash"]
        for i in range(chunk):
            args.append(b"f:%07d" % (start + i))
            args.append(blob[1000 * i : 1000 * (i + 1)])
        yield args
    rnd = random.Random(4)
    chunk = 1000
    for start in range(0, scaled(200_000, scale, chunk), chunk):
        blob = os.urandom(100 * chunk)
        args = ["ZADD", b"big:zset"]
        for i in range(chunk):
            args.append(repr(rnd.uniform(-1e9, 1e9)))
            args.append(blob[100 * i : 100 * (i + 1)])
        yield args


DATASETS = {"strings": strings, "mixed": mixed, "big": big}
