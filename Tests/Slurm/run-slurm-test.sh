#!/usr/bin/env bash
# A sharded run on a real batch engine: brings up a single-node Slurm cluster
# on this machine (munged on its own socket, slurmctld and slurmd from a
# generated slurm.conf, every state, spool, log and pid file in a temporary
# directory), submits the Colossus grid as a job array of four shards, then a
# merge job that depends on it, and compares the merged result with one
# unsharded run. The daemons are stopped whatever happens.
#
#   Tests/Slurm/run-slurm-test.sh [path/to/lease]
#
# Prints "SKIPPED: why" and exits 0 when Slurm or munge is not installed, or
# when not run as root (the cluster runs with SlurmUser=root).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
timeout_s="${LEASE_SLURM_TIMEOUT:-300}"

skip() { echo "SKIPPED: $*"; exit 0; }
fail() { echo "FAILED: $*" >&2; exit 1; }

lease="${1:-${LEASE:-}}"
if [ -z "$lease" ]; then
  for p in "$root/.build/release/lease" "$root/.build/debug/lease"; do
    if [ -x "$p" ]; then lease="$p"; break; fi
  done
fi
[ -n "$lease" ] && [ -x "$lease" ] || fail "no lease binary: build it first (swift build -c release --product lease)"
lease="$(cd "$(dirname "$lease")" && pwd)/$(basename "$lease")"

missing=()
for cmd in munged mungekey slurmctld slurmd sbatch scontrol sinfo scancel; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  skip "Slurm and munge are not installed (no ${missing[*]}): apt-get install -y slurm-wlm munge"
fi
[ "$(id -u)" = 0 ] || skip "the test cluster runs with SlurmUser=root: run as root"
"$lease" --shard 0/1 -e '1' >/dev/null 2>&1 || skip "this lease does not accept --shard on runs yet"

tmp="$(mktemp -d /tmp/lease-slurm.XXXXXX)"
chmod 700 "$tmp"
pids=()
jobs_submitted=()

cleanup() {
  local status=$?
  if [ ${#jobs_submitted[@]} -gt 0 ]; then scancel "${jobs_submitted[@]}" >/dev/null 2>&1 || true; fi
  # Only the daemons this script started, by their process ids, newest first.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    for _ in $(seq 1 50); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -9 "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    echo "--- logs from $tmp ---" >&2
    for f in "$tmp"/log/*.log "$tmp"/out/*; do
      [ -f "$f" ] && { echo "== $f" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  if [ -z "${LEASE_SLURM_KEEP:-}" ]; then rm -rf "$tmp"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two TCP ports nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free TCP port"
}
ctld_port="$(free_port)"
slurmd_port="$(free_port)"
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port="$(free_port)"; done

mkdir -p "$tmp"/{munge,state,spool,log,out,parts}
chmod 700 "$tmp/munge"

# munge: its own key, socket, pid, seed and log.
mungekey --create --keyfile="$tmp/munge/munge.key" --bits=1024 >/dev/null 2>&1 \
  || { dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none; }
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --socket="$tmp/munge/munge.socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log" \
  >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$tmp/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.socket" ] || fail "munged did not start"

host="$(hostname -s)"
cpus="$(nproc)"
mem_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.5 }' /proc/meminfo)"
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=leasetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SchedulerType=sched/builtin
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MailProg=/bin/true
PlugStackConfig=$tmp/plugstack.conf
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=lease Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
: >"$tmp/plugstack.conf"

slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)

deadline=$((SECONDS + timeout_s))
until [ "$(sinfo -h -n "$host" -o %t 2>/dev/null | head -n 1)" = "idle" ]; do
  [ $SECONDS -lt $deadline ] || fail "the Slurm node did not come up within ${timeout_s}s"
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a Slurm daemon exited during start-up"; done
  sleep 0.5
done
echo "slurm: node $host idle ($cpus CPUs), controller on port $ctld_port"

script="$here/colossus.lease"
shards=4
array="$(sbatch --parsable --chdir="$tmp" --array=0-$((shards - 1)) --cpus-per-task=1 \
  --output="$tmp/out/shard-%a.out" --error="$tmp/out/shard-%a.err" \
  --wrap="'$lease' --threads 1 --shard \$SLURM_ARRAY_TASK_ID/$shards --partial '$tmp/parts' --exact '$script'")"
array="${array%%;*}"
jobs_submitted+=("$array")
merge="$(sbatch --parsable --chdir="$tmp" --dependency="afterok:$array" --cpus-per-task=1 \
  --output="$tmp/out/merged.json" --error="$tmp/out/merge.err" \
  --wrap="'$lease' merge --format json '$tmp'/parts/*.leasepart")"
merge="${merge%%;*}"
jobs_submitted+=("$merge")
echo "slurm: array job $array (shards 0-$((shards - 1))), merge job $merge after it"

state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
while :; do
  s="$(state "$merge")"
  case "$s" in
    COMPLETED) break ;;
    FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE)
      fail "the merge job ended $s" ;;
  esac
  if [ "$s" = PENDING ] && scontrol show job "$merge" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied'; then
    fail "a shard failed, so the merge never ran"
  fi
  [ $SECONDS -lt $deadline ] || fail "the jobs did not finish within ${timeout_s}s (merge job: ${s:-unknown})"
  sleep 0.5
done

parts=("$tmp"/parts/*.leasepart)
[ ${#parts[@]} -eq $shards ] || fail "expected $shards parts, found ${#parts[@]}"
"$lease" --threads 1 --format json "$script" >"$tmp/single.json"
merged="$(cat "$tmp/out/merged.json")"
single="$(cat "$tmp/single.json")"
echo "merged: $merged"
echo "single: $single"

field() { printf '%s' "$1" | sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p"; }
for k in n min max p5 p50 p95 unit; do
  [ "$(field "$merged" $k)" = "$(field "$single" $k)" ] || fail "$k differs: merged $(field "$merged" $k), single $(field "$single" $k)"
done
for k in mean sd; do
  awk -v a="$(field "$merged" $k)" -v b="$(field "$single" $k)" \
    'BEGIN { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); exit !(d <= 1e-12 * m) }' \
    || fail "$k differs by more than 1e-12 relative: merged $(field "$merged" $k), single $(field "$single" $k)"
done
# Printed as text, the merge reads exactly as the unsharded run.
diff <("$lease" merge "${parts[@]}") <("$lease" --threads 1 "$script") >/dev/null \
  || fail "the merged text differs from the unsharded run's"
echo "PASSED: $shards Slurm array shards merged equal one unsharded run"
