#!/usr/bin/env bash
# Workers under chaos (issue 14): 12 source masters, 3 `ferry worker` processes killed (SIGKILL, SIGTERM) and
# frozen past their lease (SIGSTOP, SIGCONT) at random for 2 minutes under INCR + LPUSH + APPEND; then checks that
# the target is exact, that each task had one full resync only, and that every handover is logged. See
# docs/BENCHMARKS.md, "Workers under chaos (issue 14)".
#
#   bench/worker-chaos.sh                  # a random seed (printed), 120 s, 500 operations/s per source, lease 5 s
#   bench/worker-chaos.sh 42               # the run of seed 42 again (same faults at the same moments)
#   bench/worker-chaos.sh 42 120 1000 10000 12 3   # seed, seconds, operations/s per source, lease ms, sources, workers
#   bench/worker-chaos.sh 42 120 500 5000 12 3 false # no SIGSTOP among the faults (SIGKILL and SIGTERM only)
#
# Needs Java 17 and Maven (builds the test classes once, offline when it can). Exits with 1 when a check failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp_file="target/worker-chaos.classpath"
if [ ! -f "$cp_file" ] || [ ! -d target/test-classes ] || [ ! -d target/redis-bin ]; then
  echo "worker-chaos: building (mvn test-compile)..." >&2
  mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2 \
    || mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
fi
exec java -Dferry.redis.bin.dir="$root/target/redis-bin" \
  -cp "target/classes:target/test-classes:$(cat "$cp_file")" dev.ferry.task.WorkerChaosSimulation "$@"
