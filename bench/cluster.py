"""Workload 5 of bench/bench.py: a Redis Cluster of 3 masters copied into another of 3 masters, by Ferry
(`ferry sync --mode full`: one task per source master, each writing to every target master) and by native
replication (one replica per source master, all three started at once), in the same run, interleaved.

The native replicas are plain redis-servers doing REPLICAOF: a cluster master streams its RDB to any
replica, and what is timed (transfer and load) is what a replica joined with CLUSTER REPLICATE does, without
leaving the replicas in the source cluster's node table after each run.
"""

import os
import time

import datasets
from resp import count_matching, db_keys, encode, info

SLOTS = 16384
CLUSTER_ARGS = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]


def _crc16_table():
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


CRC16_TABLE = _crc16_table()


def key_slot(key):
    """The hash slot of a key (bytes): CRC16/XMODEM of the key, or of its first non-empty {hash tag}, mod 16384."""
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    crc = 0
    for b in key:
        crc = ((crc << 8) & 0xFFFF) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xFF]
    return crc % SLOTS


class Cluster:
    """N redis-server masters on consecutive ports, slots spread evenly, joined with CLUSTER MEET."""

    def __init__(self, server_class, binary, first_port, masters, workdir, name, extra=()):
        self.servers = [server_class(binary, first_port + i, workdir, "%s-%d" % (name, i), CLUSTER_ARGS + list(extra))
                        for i in range(masters)]
        self.conns = []
        per = SLOTS // masters
        self.first_slots = [i * per for i in range(masters)]
        self.last_slots = [SLOTS - 1 if i == masters - 1 else (i + 1) * per - 1 for i in range(masters)]

    def start(self):
        self.conns = [s.start() for s in self.servers]
        for conn, first, last in zip(self.conns, self.first_slots, self.last_slots):
            conn.call("CLUSTER", "ADDSLOTSRANGE", first, last)
        for s in self.servers[1:]:
            self.conns[0].call("CLUSTER", "MEET", "127.0.0.1", s.port)
        deadline = time.monotonic() + 30
        while not all(self._ready(c) for c in self.conns):
            if time.monotonic() > deadline:
                raise RuntimeError("cluster on ports %d.. not ready within 30 s" % self.servers[0].port)
            time.sleep(0.05)
        return self

    def _ready(self, conn):
        fields = dict(line.split(":", 1) for line in conn.call("CLUSTER", "INFO").decode().splitlines() if ":" in line)
        return (fields.get("cluster_state") == "ok" and int(fields.get("cluster_known_nodes", 0)) == len(self.servers)
                and int(fields.get("cluster_slots_assigned", 0)) == SLOTS)

    def node_of(self, key):
        slot = key_slot(key)
        for i, last in enumerate(self.last_slots):
            if slot <= last:
                return i
        raise AssertionError(slot)

    def keys_per_master(self, without_ferry=False):
        return [db_keys(c) - (count_matching(c, "__ferry:*") if without_ferry else 0) for c in self.conns]

    def stop(self):
        for s in self.servers:
            s.stop()


def load(cluster, commands, batch=64, mset_keys=32):
    """Sends a data set's commands to the masters of their keys, pipelined per master. A cluster takes an MSET
    of one slot only: the pairs of every MSET are regrouped per slot, and go as MSETs of up to mset_keys keys
    (the data sets never write a key twice, so the order between keys does not matter). Every reply is read
    (an error reply raises)."""
    pending = [[] for _ in cluster.conns]
    by_slot = {}

    def send(i):
        conn = cluster.conns[i]
        conn.sock.sendall(b"".join(pending[i]))
        for _ in pending[i]:
            conn.read()
        pending[i] = []

    def add(args, key):
        i = cluster.node_of(key)
        pending[i].append(encode(args))
        if len(pending[i]) >= batch:
            send(i)

    for args in commands:
        if args[0] == "MSET":
            for k in range(1, len(args), 2):
                pairs = by_slot.setdefault(key_slot(args[k]), [])
                pairs.extend(args[k : k + 2])
                if len(pairs) >= 2 * mset_keys:
                    add(["MSET"] + pairs, args[k])
                    pairs.clear()
        else:
            add(args, args[1])
    for pairs in by_slot.values():
        if pairs:
            add(["MSET"] + pairs, pairs[0])
    for i in range(len(cluster.conns)):
        if pending[i]:
            send(i)


class ClusterBench:
    """Workload 5, run by bench.Bench: its source cluster is loaded once per data set; every run gets a fresh
    target (a cluster for Ferry, three standalone replicas for native)."""

    MASTERS = 3

    def __init__(self, bench, server_class, variants, log, cpu_detail):
        self.bench, self.args = bench, bench.args
        self.server_class = server_class
        self.variants = variants
        self.log, self.cpu_detail = log, cpu_detail
        base = self.args.cluster_base_port
        self.source = Cluster(server_class, self.args.redis_server, base, self.MASTERS, bench.work, "csource",
                              ["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "64mb"])
        self.target_port = base + self.MASTERS

    def run(self, datasets_by_workload):
        self.source.start()
        try:
            for workload, dataset in datasets_by_workload:
                loaded = self.load(dataset)
                self.bench.results.setdefault("datasets", {})[workload] = loaded
                for rep in range(1, self.args.reps + 1):
                    for variant in self.variants:
                        if not self.args.variants or variant in self.args.variants.split(","):
                            self.full_run(workload, variant, rep, loaded["per_master"])
        finally:
            self.source.stop()

    def load(self, name):
        for c in self.source.conns:
            c.call("FLUSHALL")
        self.log("loading data set '%s' (scale %g) into the source cluster" % (name, self.args.scale))
        t0 = time.monotonic()
        load(self.source, datasets.DATASETS[name](self.args.scale))
        per_master = self.source.keys_per_master()
        mem = sum(int(info(c, "memory")["used_memory"]) for c in self.source.conns)
        rdb = 0
        for c, s in zip(self.source.conns, self.source.servers):
            c.call("BGSAVE")
            while info(c, "persistence").get("rdb_bgsave_in_progress") != "0":
                time.sleep(0.1)
            rdb += os.path.getsize(os.path.join(s.dir, s.name + ".rdb"))
        self.log("loaded %d keys (%s per master) in %.1f s: used_memory %.0f MB, RDB %.0f MB"
            % (sum(per_master), "/".join(map(str, per_master)), time.monotonic() - t0, mem / 1e6, rdb / 1e6))
        return {"keys": sum(per_master), "per_master": per_master, "used_memory": mem, "rdb_bytes": rdb}

    def quiesce(self):
        deadline = time.monotonic() + 60
        for c in self.source.conns:
            while True:
                rep, per = info(c, "replication"), info(c, "persistence")
                if rep.get("connected_slaves") == "0" and per.get("rdb_bgsave_in_progress") == "0":
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("source cluster still busy with an earlier replica")
                time.sleep(0.05)

    def source_cpu(self):
        return sum(s.cpu_seconds(children=True) for s in self.source.servers)

    def full_run(self, workload, variant, rep, per_master):
        kind, transfer = variant.split("-")
        self.quiesce()
        for c in self.source.conns:
            c.call("CONFIG", "SET", "repl-diskless-sync", "yes" if transfer == "diskless" else "no")
        run = {"workload": workload, "variant": variant, "rep": rep}
        source_cpu = self.source_cpu()
        if kind == "ferry":
            target = Cluster(self.server_class, self.args.redis_server, self.target_port, self.MASTERS, self.bench.work,
                             "ctarget").start()
            servers = target.servers
        else:
            servers = [self.server_class(self.args.redis_server, self.target_port + i, self.bench.work, "creplica-%d" % i)
                       for i in range(self.MASTERS)]
            replicas = [s.start() for s in servers]
        try:
            t0 = time.monotonic()
            if kind == "ferry":
                ferry = self.bench.ferry
                proc = ferry.start(self.source.servers[0].port, self.target_port, "full",
                                   "%s-%s-%d" % (workload, variant, rep), self.bench.jfr_opts(workload, variant, rep))
                code, rss, cpu = ferry.wait(proc, self.args.timeout)
                run["seconds"] = time.monotonic() - t0
                if code != 0:
                    raise RuntimeError("ferry exited %d:\n%s" % (code, ferry.output()[-3000:]))
                run.update(rss_mb=rss, cpu_s=cpu, target_cpu_s=sum(s.cpu_seconds() for s in servers), **ferry.last_cpu)
                keys = sum(target.keys_per_master(without_ferry=True))
            else:
                for replica, master in zip(replicas, self.source.servers):
                    replica.call("REPLICAOF", "127.0.0.1", str(master.port))
                keys = sum(self.bench.wait_replica(r, n, t0) for r, n in zip(replicas, per_master))
                run["seconds"] = time.monotonic() - t0
                run.update(rss_mb=sum(s.peak_rss_mb() for s in servers), cpu_s=sum(s.cpu_seconds() for s in servers))
            if keys != sum(per_master):
                raise RuntimeError("%s: the target holds %d keys, the source %d" % (variant, keys, sum(per_master)))
        finally:
            for s in servers:
                s.stop()
        self.quiesce()
        run["source_cpu_s"] = self.source_cpu() - source_cpu
        self.log("  %-16s rep %d: %7.2f s  rss %6.0f MB  cpu %6.2f s  source cpu %.2f s%s%s"
            % (variant, rep, run["seconds"], run["rss_mb"], run["cpu_s"], run["source_cpu_s"],
               "  target cpu %.2f s" % run["target_cpu_s"] if "target_cpu_s" in run else "", self.cpu_detail(run)))
        self.bench.results["runs"].append(run)
