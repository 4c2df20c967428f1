#!/usr/bin/env python3
"""Ferry against Redis's own replication, in one run on one machine (see bench/run.sh and
docs/BENCHMARKS.md).

Every workload runs each variant in turn (A B C D, A B C D, ...): Ferry and a native replica (an empty
redis-server doing REPLICAOF), with the source in disk-based and in diskless mode
(repl-diskless-sync-delay 0). Each run gets a fresh, empty target server. Ferry runs as a child process
whose peak RSS and CPU time come from wait4(2); the native replica's from /proc before it stops.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cluster  # noqa: E402
import datasets  # noqa: E402
from resp import Conn, ReplyError, count_matching, db_keys, info  # noqa: E402

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
FULL_VARIANTS = ["ferry-disk", "native-disk", "ferry-diskless", "native-diskless"]
STREAM_VARIANTS = ["ferry", "native"]


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- servers


class Server:
    """A redis-server child process on 127.0.0.1, no persistence of its own."""

    def __init__(self, binary, port, workdir, name, extra=()):
        self.binary, self.port, self.name = binary, port, name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.extra = list(extra)
        self.proc = None

    def start(self):
        args = [self.binary, "--port", str(self.port), "--bind", HOST, "--dir", self.dir,
                "--dbfilename", self.name + ".rdb", "--save", "", "--appendonly", "no",
                "--protected-mode", "no", "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")] + self.extra
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                c = Conn(self.port, timeout=5)
                c.call("PING")
                return c
            except (OSError, ReplyError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("%s did not start on port %d (see %s/redis.log)" % (self.name, self.port, self.dir))
                time.sleep(0.02)

    def cpu_seconds(self, children=False):
        """User + system CPU of the server; with children, also of its reaped forks (BGSAVE, diskless sync)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / CLK_TCK

    def peak_rss_mb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            c = Conn(self.port, timeout=5)
            c.sock.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
            c.close()
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- Ferry


class Ferry:
    """Runs `ferry sync` as a direct child (java, not a shell), so that wait4 gives its own rusage."""

    def __init__(self, home, java_opts, workdir):
        self.home, self.java_opts, self.workdir = home, java_opts, workdir
        jar = os.path.join(home, "target", "ferry.jar")
        lib = os.path.join(home, "target", "lib")
        if not os.path.isfile(jar):
            raise SystemExit("bench: %s not found: build Ferry first (bench/run.sh does)" % jar)
        self.classpath = jar + ":" + lib + "/*"

    def start(self, src_port, tgt_port, mode, label, extra_opts=(), sync_args=()):
        cmd = (["java"] + self.java_opts + list(extra_opts)
               + ["-cp", self.classpath, "dev.ferry.cli.Main", "sync",
                  "--source", "redis://%s:%d" % (HOST, src_port), "--target", "redis://%s:%d" % (HOST, tgt_port),
                  "--mode", mode, "--quiet"] + list(sync_args))
        self.log_path = os.path.join(self.workdir, "ferry-%s.log" % label)
        out = open(self.log_path, "w")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return proc

    def wait(self, proc, timeout):
        """Waits for exit; returns (exit status, peak RSS MB, CPU seconds). Also keeps, in self.last_cpu,
        the user and system seconds of the run and the CPU seconds of each JVM thread (GC, JIT, Ferry's
        own), from /proc, sampled every 100 ms until the exit."""
        timer = threading.Timer(timeout, lambda: proc.kill())
        timer.start()
        threads = {}
        stop = threading.Event()
        sampler = threading.Thread(target=sample_threads, args=(proc.pid, threads, stop), daemon=True)
        sampler.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            stop.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        by_group, counts = {}, {}
        for name, cpu in threads.values():
            group = thread_group(name)
            by_group[group] = by_group.get(group, 0) + cpu
            counts[group] = counts.get(group, 0) + 1
        # A group of several threads (one link per master of a cluster source) is labelled with their number.
        by_group = {(g if counts[g] == 1 or not g.startswith("ferry") else "%s x%d" % (g, counts[g])): v
                    for g, v in by_group.items()}
        self.last_cpu = {"user_s": ru.ru_utime, "sys_s": ru.ru_stime,
                         "threads": {k: round(v, 2) for k, v in sorted(by_group.items(), key=lambda kv: -kv[1])}}
        return proc.returncode, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def startup_seconds(self):
        """Time to start the JVM and print the version: part of every `ferry sync` measured here."""
        t0 = time.monotonic()
        subprocess.run(["java"] + self.java_opts + ["-cp", self.classpath, "dev.ferry.cli.Main", "--version"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - t0


def sample_threads(pid, threads, stop):
    """Records {tid: (name, cpu seconds)} for every thread of pid until stop is set or pid exits."""
    while not stop.is_set():
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            return
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    raw = f.read()
            except OSError:
                continue
            name = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            threads[tid] = (name, (int(fields[11]) + int(fields[12])) / CLK_TCK)
        stop.wait(0.1)


def thread_group(name):
    """A JVM thread's name, as /proc shows it (15 characters), reduced to its kind."""
    for prefix, group in (("GC Thread", "GC"), ("G1 ", "GC"), ("C2 Compiler", "JIT C2"), ("C1 Compiler", "JIT C1"),
                          ("ferry-link", "ferry-link"), ("ferry-target-re", "ferry-target-replies"),
                          ("ferry-ack", "ferry-ack"), ("ferry-pump", "ferry-pump (spool)"),
                          ("ferry-heartbeat", "ferry-heartbeat"), ("ferry-shard", "ferry-shard"),
                          ("ferry-lease", "ferry-lease"), ("VM Thread", "VM Thread"), ("java", "main")):
        if name.startswith(prefix):
            return group
    return "other (" + name + ")" if name.startswith("ferry") else "other JVM threads"


# ---------------------------------------------------------------------------------------------- runs


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work or tempfile.mkdtemp(prefix="ferry-bench-")
        os.makedirs(self.work, exist_ok=True)
        self.src_port, self.tgt_port = args.base_port, args.base_port + 1
        self.source = Server(args.redis_server, self.src_port, self.work, "source",
                             ["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "64mb"])
        self.ferry = Ferry(args.ferry_home, args.java_opts.split(), self.work)
        self.results = {"runs": []}
        self.src = None

    def configure_source(self, diskless):
        self.src.call("CONFIG", "SET", "repl-diskless-sync", "yes" if diskless else "no")
        self.src.call("CONFIG", "SET", "repl-diskless-sync-delay", "0")

    def quiesce_source(self):
        """Waits until no replica is attached and no BGSAVE runs, so that a run never joins the last one's."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rep, per = info(self.src, "replication"), info(self.src, "persistence")
            if rep.get("connected_slaves") == "0" and per.get("rdb_bgsave_in_progress") == "0":
                return
            time.sleep(0.05)
        raise RuntimeError("source still busy with an earlier replica")

    def load(self, name):
        self.src.call("FLUSHALL")
        log("loading data set '%s' (scale %g) into the source" % (name, self.args.scale))
        t0 = time.monotonic()
        self.src.pipeline(datasets.DATASETS[name](self.args.scale), batch=64)
        keys = db_keys(self.src)
        mem = info(self.src, "memory")["used_memory"]
        self.src.call("BGSAVE")
        while info(self.src, "persistence").get("rdb_bgsave_in_progress") != "0":
            time.sleep(0.1)
        rdb = os.path.getsize(os.path.join(self.source.dir, "source.rdb"))
        log("loaded %d keys in %.1f s: used_memory %.0f MB, RDB %.0f MB"
            % (keys, time.monotonic() - t0, int(mem) / 1e6, rdb / 1e6))
        return {"keys": keys, "used_memory": int(mem), "rdb_bytes": rdb}

    def target(self, name):
        server = Server(self.args.redis_server, self.tgt_port, self.work, name)
        return server, server.start()

    # -- full sync

    def full_run(self, workload, variant, rep, expected_keys, java_opts=()):
        kind, transfer = variant.split("-")
        self.quiesce_source()
        self.configure_source(transfer == "diskless")
        server, tgt = self.target("target")
        run = {"workload": workload, "variant": variant, "rep": rep}
        source_cpu = self.source.cpu_seconds(children=True)
        try:
            if kind == "ferry":
                t0 = time.monotonic()
                proc = self.ferry.start(self.src_port, self.tgt_port, "full", "%s-%s-%d" % (workload, variant, rep),
                                        java_opts + self.jfr_opts(workload, variant, rep))
                code, rss, cpu = self.ferry.wait(proc, self.args.timeout)
                run["seconds"] = time.monotonic() - t0
                if code != 0:
                    raise RuntimeError("ferry exited %d:\n%s" % (code, self.ferry.output()[-3000:]))
                # The target's CPU before the key count below, whose SCAN is not part of the sync.
                run.update(rss_mb=rss, cpu_s=cpu, target_cpu_s=server.cpu_seconds(), **self.ferry.last_cpu)
                keys = db_keys(tgt) - count_matching(tgt, "__ferry:*")
            else:
                t0 = time.monotonic()
                tgt.call("REPLICAOF", HOST, str(self.src_port))
                keys = self.wait_replica(tgt, expected_keys, t0)
                run["seconds"] = time.monotonic() - t0
                run.update(rss_mb=server.peak_rss_mb(), cpu_s=server.cpu_seconds())
            if keys != expected_keys:
                raise RuntimeError("%s: target holds %d keys, source %d" % (variant, keys, expected_keys))
        finally:
            server.stop()
        # The fork that wrote the snapshot has been reaped once no replica and no BGSAVE remain.
        self.quiesce_source()
        run["source_cpu_s"] = self.source.cpu_seconds(children=True) - source_cpu
        log("  %-16s rep %d: %7.2f s  rss %6.0f MB  cpu %6.2f s  source cpu %.2f s%s%s"
            % (variant, rep, run["seconds"], run["rss_mb"], run["cpu_s"], run["source_cpu_s"],
               "  target cpu %.2f s" % run["target_cpu_s"] if "target_cpu_s" in run else "", cpu_detail(run)))
        self.results["runs"].append(run)
        return run

    def wait_replica(self, tgt, expected_keys, t0):
        """Polls every 10 ms until the replica is linked, synced, loaded and holds every key."""
        while True:
            if time.monotonic() - t0 > self.args.timeout:
                raise RuntimeError("native replica did not finish in %d s" % self.args.timeout)
            rep = info(tgt, "replication")
            if rep.get("master_link_status") == "up" and rep.get("master_sync_in_progress") == "0":
                if info(tgt, "persistence").get("loading") == "0":
                    keys = db_keys(tgt)
                    if keys >= expected_keys:
                        return keys
            time.sleep(0.01)

    def jfr_opts(self, workload, variant, rep):
        if not self.args.jfr:
            return ()
        os.makedirs(self.args.jfr, exist_ok=True)
        path = os.path.join(self.args.jfr, "%s-%s-%d.jfr" % (workload, variant, rep))
        return ("-XX:StartFlightRecording=settings=profile,filename=" + path,)

    def full_workload(self, workload, dataset, java_opts=()):
        loaded = self.load(dataset)
        self.results.setdefault("datasets", {})[workload] = loaded
        for rep in range(1, self.args.reps + 1):
            for variant in FULL_VARIANTS:
                if not self.args.variants or variant in self.args.variants.split(","):
                    self.full_run(workload, variant, rep, loaded["keys"], java_opts)

    # -- throttled

    def throttle_workload(self):
        """Workload 6: a diskless full sync of the strings under --max-bytes-per-sec: the rate Ferry achieves (the
        snapshot's bytes over the time after JVM start-up) against the limit it was given."""
        loaded = self.load("strings")
        limit = int(self.args.throttle_mib * 1024 * 1024)
        runs = []
        for rep in range(1, self.args.reps + 1):
            self.quiesce_source()
            self.configure_source(True)
            server, tgt = self.target("target")
            try:
                t0 = time.monotonic()
                proc = self.ferry.start(self.src_port, self.tgt_port, "full", "6-throttled-%d" % rep, (),
                                        ("--max-bytes-per-sec", str(limit)))
                code, rss, cpu = self.ferry.wait(proc, self.args.timeout)
                seconds = time.monotonic() - t0 - self.results["ferry_startup_s"]
                if code != 0:
                    raise RuntimeError("ferry exited %d:\n%s" % (code, self.ferry.output()[-3000:]))
                keys = db_keys(tgt) - count_matching(tgt, "__ferry:*")
                if keys != loaded["keys"]:
                    raise RuntimeError("throttled: target holds %d keys, source %d" % (keys, loaded["keys"]))
            finally:
                server.stop()
            self.quiesce_source()
            rate = loaded["rdb_bytes"] / seconds
            run = {"rep": rep, "seconds": seconds, "mib_per_s": rate / 1048576, "limit_mib_per_s": limit / 1048576,
                   "of_limit": rate / limit, "rss_mb": rss, "cpu_s": cpu}
            runs.append(run)
            log("  throttled rep %d: %.2f s for %.0f MB: %.2f MiB/s, %.1f %% of the %.0f MiB/s limit  rss %.0f MB  cpu %.2f s"
                % (rep, seconds, loaded["rdb_bytes"] / 1e6, run["mib_per_s"], 100 * run["of_limit"],
                   run["limit_mib_per_s"], rss, cpu))
        self.results["throttle"] = runs

    # -- incremental

    def stream_workload(self):
        for rate in self.args.rates:
            for rep in range(1, self.args.reps + 1):
                for variant in STREAM_VARIANTS:
                    self.stream_run(variant, rep, rate)

    def start_load(self, rate):
        """The write load: redis-benchmark as fast as it goes (rate None), or bench/load.py at `rate` writes/s."""
        if rate is None:
            return subprocess.Popen(
                [self.args.redis_benchmark, "-h", HOST, "-p", str(self.src_port), "-t", "set,incr,lpush,hset",
                 "-P", "16", "-c", str(self.args.clients), "-r", "100000", "-d", "100", "-n", "100000", "-l", "-q"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Runs longer than needed: it is stopped like redis-benchmark, when the measurement ends.
        seconds = self.args.warmup_seconds + self.args.stream_seconds + 60
        return subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "load.py"),
             "--port", str(self.src_port), "--rate", str(rate), "--seconds", str(seconds)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stream_run(self, variant, rep, rate):
        workload = "3-incremental"
        self.quiesce_source()
        self.src.call("FLUSHALL")
        self.configure_source(True)
        server, tgt = self.target("target")
        ferry_proc = None
        run = {"workload": workload, "variant": variant, "rep": rep, "rate": rate_label(rate)}
        try:
            if variant == "ferry":
                ferry_proc = self.ferry.start(self.src_port, self.tgt_port, "full+incremental",
                                              "%s-%s-%d" % (workload, variant, rep), self.jfr_opts(workload, variant, rep))
            else:
                tgt.call("REPLICAOF", HOST, str(self.src_port))
            probe = Probe(self.src, tgt)
            if probe.catch_up(timeout=60) is None:
                raise RuntimeError("%s never started streaming" % variant)
            bench = self.start_load(rate)
            # redis-benchmark runs 100,000 requests of each test, then the next: the four alternate every
            # second or so. The first seconds fill empty key spaces on both sides; the lag counts after them.
            probe.run(seconds=self.args.warmup_seconds)
            before = info(self.src, "stats"), info(self.src, "replication")
            t0 = time.monotonic()
            lags = probe.run(seconds=self.args.stream_seconds)
            load_seconds = time.monotonic() - t0
            bench.terminate()
            t_stop = time.monotonic()
            bench.wait()
            catch_up = probe.catch_up(timeout=60, since=t_stop)
            after = info(self.src, "stats"), info(self.src, "replication")
            ops = int(after[0]["total_commands_processed"]) - int(before[0]["total_commands_processed"])
            stream = int(after[1]["master_repl_offset"]) - int(before[1]["master_repl_offset"])
            lags.sort()
            run.update(ops_per_s=ops / load_seconds, stream_mb_per_s=stream / load_seconds / 1e6,
                       lag_p50_ms=percentile(lags, 50) * 1000, lag_p99_ms=percentile(lags, 99) * 1000,
                       lag_max_ms=lags[-1] * 1000, probes=len(lags), catch_up_ms=catch_up * 1000)
            if variant == "ferry":
                ferry_proc.send_signal(signal.SIGTERM)
                code, rss, cpu = self.ferry.wait(ferry_proc, 60)
                ferry_proc = None
                # The JVM reports a stop by SIGTERM as 143 once its shutdown hook (Ferry's clean stop) has run.
                if code not in (0, 143):
                    raise RuntimeError("ferry exited %d:\n%s" % (code, self.ferry.output()[-3000:]))
                run.update(rss_mb=rss, cpu_s=cpu, **self.ferry.last_cpu)
            else:
                run.update(rss_mb=server.peak_rss_mb(), cpu_s=server.cpu_seconds())
        finally:
            if ferry_proc is not None:
                ferry_proc.kill()
                ferry_proc.wait()
            server.stop()
        log("  %-8s %-6s rep %d: %7.0f ops/s (%.1f MB/s stream)  lag p50 %.1f ms p99 %.1f ms max %.1f ms  "
            "catch-up %.1f ms  rss %.0f MB  cpu %.2f s%s"
            % (variant, run["rate"], rep, run["ops_per_s"], run["stream_mb_per_s"], run["lag_p50_ms"], run["lag_p99_ms"],
               run["lag_max_ms"], run["catch_up_ms"], run["rss_mb"], run["cpu_s"], cpu_detail(run)))
        self.results["runs"].append(run)

    # -- all

    def run(self):
        a = self.args
        self.results["machine"] = machine()
        self.results["args"] = vars(a)
        log("work dir %s; source 127.0.0.1:%d, target 127.0.0.1:%d; %s" % (self.work, self.src_port, self.tgt_port,
                                                                          self.results["machine"]["summary"]))
        self.results["ferry_startup_s"] = min(self.ferry.startup_seconds() for _ in range(3))
        self.src = self.source.start()
        try:
            for w in a.workloads:
                log("workload %s" % w)
                if w == "1":
                    self.full_workload("1-strings", "strings")
                elif w == "2":
                    self.full_workload("2-mixed", "mixed")
                elif w == "3":
                    self.stream_workload()
                elif w == "4":
                    self.full_workload("4-bigger-than-heap", "big", tuple(a.big_java_opts.split()))
                elif w == "6":
                    self.throttle_workload()
                elif w == "5":
                    cluster.ClusterBench(self, Server, FULL_VARIANTS, log, cpu_detail).run(
                        [("5-cluster-strings", "strings"), ("5-cluster-mixed", "mixed")])
        finally:
            self.source.stop()
        self.results["machine"]["loadavg_end"] = loadavg()
        report(self.results)
        out = os.path.join(self.work, "results.json")
        with open(out, "w") as f:
            json.dump(self.results, f, indent=1)
        log("results: %s" % out)
        if not a.keep:
            for name in os.listdir(self.work):
                if name.endswith(".log") or name == "results.json":
                    continue
                shutil.rmtree(os.path.join(self.work, name), ignore_errors=True)


class Probe:
    """Measures replication lag in-band: writes SET bench:probe <n> on the source every 10 ms and polls the
    target (GET) about every 0.5 ms. The lag of probe n is the time from the source's OK for it to the
    first poll that shows n or later; the probes travel in the replication stream between the
    benchmark's writes, so they wait behind whatever the replica has not applied yet."""

    KEY = "bench:probe"

    def __init__(self, src_conn, tgt_conn):
        self.src, self.tgt = src_conn, tgt_conn
        self.seq = 0
        self.sent = {}
        self.seen = 0

    def write(self):
        self.seq += 1
        self.src.call("SET", self.KEY, self.seq)
        self.sent[self.seq] = time.monotonic()

    def poll(self, lags):
        v = self.tgt.call("GET", self.KEY)
        now = time.monotonic()
        n = int(v) if v else 0
        while self.seen < n:
            self.seen += 1
            lags.append(now - self.sent[self.seen])

    def run(self, seconds):
        lags = []
        end = time.monotonic() + seconds
        next_write = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= end:
                return lags
            if now >= next_write:
                self.write()
                next_write += 0.010
            self.poll(lags)
            time.sleep(0.0005)

    def catch_up(self, timeout, since=None):
        """Writes one probe and waits until the target shows it: seconds from `since` (default: the
        write), or None on timeout."""
        self.write()
        start = since if since is not None else self.sent[self.seq]
        deadline = time.monotonic() + timeout
        lags = []
        while time.monotonic() < deadline:
            self.poll(lags)
            if self.seen >= self.seq:
                return time.monotonic() - start
            time.sleep(0.0005)
        return None


def cpu_detail(run):
    if "threads" not in run:
        return ""
    top = ", ".join("%s %.2f" % kv for kv in list(run["threads"].items())[:5])
    return " (user %.2f, sys %.2f; by thread: %s)" % (run["user_s"], run["sys_s"], top)


def rate_label(rate):
    return "max" if rate is None else "%dk" % round(rate / 1000)


def parse_rates(text):
    """"20000,50000,max" -> [20000.0, 50000.0, None] (None: redis-benchmark as fast as it goes)."""
    rates = []
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            rates.append(None if part == "max" else float(part.rstrip("k")) * (1000 if part.endswith("k") else 1))
    return rates


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


# ---------------------------------------------------------------------------------------------- report


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gb = int(f.readline().split()[1]) / 1024 / 1024
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    m = {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_gb, 1), "java": java[1] if len(java) > 1 else "?",
         "loadavg_start": loadavg()}
    m["summary"] = "%d cpus (%s), %.1f GB RAM, %s, load %s" % (m["nproc"], cpu, mem_gb, m["java"], m["loadavg_start"])
    return m


def med(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


def report(results):
    runs = results["runs"]
    m = results["machine"]
    print()
    print("machine: %s" % m["summary"])
    print("load average at end: %s; Ferry JVM start-up (ferry --version): %.2f s, included in every Ferry time"
          % (m["loadavg_end"], results["ferry_startup_s"]))
    full = [w for w in dict.fromkeys(r["workload"] for r in runs) if not w.startswith("3")]
    if full:
        print()
        print("Full sync: time until the target holds every key (median of %s runs; min..max)"
              % ", ".join(sorted({str(sum(1 for r in runs if r["workload"] == w and r["variant"] == "ferry-diskless"))
                                  for w in full})))
        print("%-20s %-16s %9s %17s %8s %10s %8s" % ("workload", "variant", "median s", "min..max s", "ratio",
                                                    "peak RSS", "CPU s"))
        for w in full:
            ds = results.get("datasets", {}).get(w, {})
            for variant in FULL_VARIANTS:
                rs = [r for r in runs if r["workload"] == w and r["variant"] == variant]
                if not rs:
                    continue
                secs = [r["seconds"] for r in rs]
                ratio = ""
                if variant.startswith("ferry"):
                    native = [r for r in runs if r["workload"] == w and r["variant"] == variant.replace("ferry", "native")]
                    if native:
                        ratio = "%.2fx" % (statistics.median(secs) / med(native, "seconds"))
                print("%-20s %-16s %9.2f %8.2f..%-8.2f %8s %7.0f MB %8.2f"
                      % (w, variant, statistics.median(secs), min(secs), max(secs), ratio, med(rs, "rss_mb"),
                         med(rs, "cpu_s")))
            if ds:
                print("%-20s (%d keys, RDB %.0f MB, source used_memory %.0f MB)"
                      % ("", ds["keys"], ds["rdb_bytes"] / 1e6, ds["used_memory"] / 1e6))
        print("ratio: Ferry's median / native replication's median, same transfer mode (< 1: Ferry is faster).")
        print("peak RSS, CPU s: Ferry's JVM; for native, the replica redis-server.")
    inc = [r for r in runs if r["workload"].startswith("3")]
    if inc:
        print()
        print("Incremental: writes of set,incr,lpush,hset on the source at a fixed rate (bench/load.py), or as fast as")
        print("redis-benchmark -P 16 goes (max); lag of 10 ms probes (medians over runs)")
        print("%-6s %-8s %10s %10s %10s %10s %10s %12s %10s %8s" % ("load", "variant", "ops/s", "stream MB/s", "lag p50",
                                                                  "lag p99", "lag max", "catch-up", "peak RSS", "CPU s"))
        for rate in dict.fromkeys(r.get("rate", "max") for r in inc):
            for variant in STREAM_VARIANTS:
                rs = [r for r in inc if r["variant"] == variant and r.get("rate", "max") == rate]
                if rs:
                    print("%-6s %-8s %10.0f %10.1f %8.1f ms %8.1f ms %8.1f ms %9.1f ms %7.0f MB %8.2f"
                          % (rate, variant, med(rs, "ops_per_s"), med(rs, "stream_mb_per_s"), med(rs, "lag_p50_ms"),
                             med(rs, "lag_p99_ms"), med(rs, "lag_max_ms"), med(rs, "catch_up_ms"), med(rs, "rss_mb"),
                             med(rs, "cpu_s")))
    sys.stdout.flush()


def launcher_jvm_options(root):
    with open(os.path.join(root, "bin", "jvm.options")) as f:
        return [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description="Ferry against native Redis replication (see docs/BENCHMARKS.md).")
    p.add_argument("--reps", type=int, default=3, help="repetitions of each variant (default 3)")
    p.add_argument("--scale", type=float, default=1.0, help="multiplies the data set sizes (default 1)")
    p.add_argument("--workloads", default="1,2,3,4", help="which workloads, e.g. 1,3 (default 1-4; 5, the cluster"
                   " workload, and 6, a full sync under --max-bytes-per-sec, run when asked)")
    p.add_argument("--throttle-mib", type=float, default=10, help="workload 6's --max-bytes-per-sec, in MiB/s (default 10)")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, scale 0.1, 5 s of stream load")
    p.add_argument("--base-port", type=int, default=27170, help="source port; the target uses the next one")
    # A cluster node also listens on its port + 10000: kept below the ephemeral range (32768-), where an outgoing
    # connection may hold the port by chance.
    p.add_argument("--cluster-base-port", type=int, default=21170,
                   help="workload 5: first port of the source cluster; its target or replicas take the next three")
    p.add_argument("--redis-server", default=os.path.join(root, "target", "redis-bin", "redis-server-7.0.15-linux-amd64"))
    p.add_argument("--redis-benchmark", default=shutil.which("redis-benchmark") or "redis-benchmark")
    p.add_argument("--ferry-home", default=root, help="the Ferry build to run (its target/ferry.jar and target/lib)")
    # The launcher's own options (bin/jvm.options), then FERRY_JAVA_OPTS, so that Ferry is measured as users run it.
    p.add_argument("--java-opts", default=" ".join(launcher_jvm_options(root) + os.environ.get("FERRY_JAVA_OPTS", "").split()),
                   help="JVM options for Ferry (default: bin/ferry's, from bin/jvm.options, plus FERRY_JAVA_OPTS)")
    p.add_argument("--big-java-opts", default="", help="extra JVM options for Ferry in workload 4 (default: none, as users run it)")
    p.add_argument("--stream-seconds", type=float, default=15, help="length of the write load in workload 3")
    p.add_argument("--warmup-seconds", type=float, default=3, help="write load before workload 3 measures")
    p.add_argument("--clients", type=int, default=4, help="redis-benchmark connections in workload 3")
    p.add_argument("--rates", default="20k,50k,max",
                   help="write loads of workload 3, writes/s or max for redis-benchmark unpaced (default 20k,50k,max)")
    p.add_argument("--variants", help="only these full-sync variants, e.g. ferry-diskless,native-diskless")
    p.add_argument("--jfr", help="record a JFR profile of every Ferry run into this directory")
    p.add_argument("--timeout", type=int, default=600, help="seconds before a sync run counts as hung")
    p.add_argument("--work", help="work directory (default: a new one under /tmp)")
    p.add_argument("--keep", action="store_true", help="keep the servers' files in the work directory")
    a = p.parse_args()
    if a.quick:
        a.reps, a.scale, a.stream_seconds = 1, min(a.scale, 0.1), min(a.stream_seconds, 5)
        a.warmup_seconds = min(a.warmup_seconds, 1)
    a.workloads = [w.strip() for w in a.workloads.split(",") if w.strip()]
    a.rates = parse_rates(a.rates)
    if not os.path.exists(a.redis_server):
        a.redis_server = shutil.which("redis-server") or a.redis_server
    Bench(a).run()


if __name__ == "__main__":
    main()
