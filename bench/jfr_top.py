#!/usr/bin/env python3
"""Where a Ferry run spends its time, from JFR recordings (bench/run.sh --jfr DIR writes them).

    python3 bench/jfr_top.py /tmp/jfr/1-strings-ferry-diskless-*.jfr [--top 15] [--thread ferry-link]

Counts jdk.ExecutionSample events (threads running Java code) and jdk.NativeMethodSample events
(threads inside a native method: socket reads and writes), and prints, as a share of the samples:
per thread; the top frames (self time); the first dev.ferry frame of each stack (the Ferry method
responsible, callees included); and inclusive time per dev.ferry method. Several files add up.
"""

import argparse
import collections
import json
import subprocess
import sys


def frames_of(event):
    out = []
    for f in event["values"]["stackTrace"]["frames"]:
        m = f["method"]
        out.append(m["type"]["name"].replace("/", ".") + "." + m["name"])
    return out


def load(path, depth):
    text = subprocess.run(["jfr", "print", "--json", "--stack-depth", str(depth), "--events",
                           "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                          capture_output=True, text=True, check=True).stdout
    for e in json.loads(text)["recording"]["events"]:
        v = e["values"]
        if not v.get("stackTrace"):
            continue
        thread = v.get("sampledThread") or {}
        name = thread.get("javaName") or thread.get("osName") or "?"
        yield e["type"], name, frames_of(e)


def short_thread(name):
    # "ferry-link-127.0.0.1:27170" -> "ferry-link"
    for prefix in ("ferry-link", "ferry-target-replies", "ferry-ack", "ferry-heartbeat", "ferry-progress", "ferry-pump"):
        if name.startswith(prefix):
            return prefix
    return name


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--thread", help="only samples of threads whose name starts with this")
    p.add_argument("--depth", type=int, default=96)
    p.add_argument("--java-only", action="store_true",
                   help="only jdk.ExecutionSample (CPU in Java code); native samples are mostly threads blocked in I/O")
    a = p.parse_args()

    threads = collections.Counter()
    self_frames = collections.Counter()
    first_ferry = collections.Counter()
    inclusive = collections.Counter()
    total = 0
    for path in a.files:
        for kind, thread, frames in load(path, a.depth):
            thread = short_thread(thread)
            if a.thread and not thread.startswith(a.thread):
                continue
            native = kind == "jdk.NativeMethodSample"
            if native and a.java_only:
                continue
            total += 1
            threads[(thread, "native" if native else "java")] += 1
            self_frames[(frames[0] + (" [native]" if native else "")) if frames else "?"] += 1
            ferry = [f for f in frames if f.startswith("dev.ferry.")]
            first_ferry[ferry[0] if ferry else "(no Ferry frame: JDK/library, e.g. start-up)"] += 1
            for f in set(ferry):
                inclusive[f] += 1
    if total == 0:
        sys.exit("no samples")

    def table(title, counter, n):
        print("\n%s" % title)
        for key, count in counter.most_common(n):
            label = key if isinstance(key, str) else "%s (%s)" % key
            print("  %5.1f%%  %6d  %s" % (100.0 * count / total, count, label))

    print("%d samples (Java + native) from %d file(s)" % (total, len(a.files)))
    table("per thread", threads, a.top)
    table("top frames (self)", self_frames, a.top)
    table("first Ferry frame on the stack (that method and what it calls)", first_ferry, a.top)
    table("inclusive, Ferry methods", inclusive, a.top)


if __name__ == "__main__":
    main()
