#!/usr/bin/env bash
# Ferry against Redis's own replication, in one run on this machine: see docs/BENCHMARKS.md.
#
#   bench/run.sh                 # all four workloads, 3 repetitions each (10-15 minutes)
#   bench/run.sh --quick         # smoke run: 1 repetition, data sets at 1/10 (about 2 minutes)
#   bench/run.sh --workloads 1,3 --reps 5 --jfr /tmp/jfr
#   bench/run.sh --workloads 5   # a 3-master cluster into a 3-master cluster, against 3 native replicas
#   bench/run.sh --java-opts=-XX:+UseSerialGC --workloads 1   # JVM options for Ferry: use the = form
#   bench/run.sh --help          # every option
#
# Needs Java 17, Maven (to build Ferry once), Python 3 and redis-benchmark (workload 3; installed with
# apt-get when missing and running as root). Servers listen on 127.0.0.1 only (ports 27170-27171 by
# default, --base-port to move them). Ferry is the build in this repository, or --ferry-home DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

ferry_home="$root"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --ferry-home) ferry_home="${args[$((i + 1))]}" ;;
    --ferry-home=*) ferry_home="${args[$i]#--ferry-home=}" ;;
  esac
done

# Build once, outside every measurement. A stale jar is not rebuilt here: delete it to rebuild.
if [ ! -f "$ferry_home/target/ferry.jar" ] || [ ! -d "$ferry_home/target/lib" ]; then
  echo "bench: building Ferry in $ferry_home (mvn package)..." >&2
  (cd "$ferry_home" && mvn -q -B -Dmaven.test.skip=true package) >&2
fi
# The redis-server binaries come with the project's build (target/redis-bin).
if [ ! -d "$root/target/redis-bin" ]; then
  echo "bench: unpacking redis-server binaries (mvn generate-test-resources)..." >&2
  (cd "$root" && mvn -q -B generate-test-resources) >&2
fi
if ! command -v redis-benchmark >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing redis-tools for redis-benchmark..." >&2
    (apt-get update -qq && apt-get install -y -qq redis-tools) >&2
  else
    echo "bench: redis-benchmark not found (workload 3 needs it): install redis-tools" >&2
    exit 2
  fi
fi
exec python3 "$here/bench.py" "$@"
