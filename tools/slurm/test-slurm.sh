#!/usr/bin/env bash
# make test-slurm: runs `sweep --emit-slurm` job arrays on a real one-node Slurm brought up on localhost.
#
# Brings up munged (as the munge user), slurmctld and slurmd with a private slurm.conf, key, socket, ports and state
# under one temporary directory (proctrack/linuxproc, task/none, select/cons_tres, no accounting,
# EnforcePartLimits=ALL), installing Debian's slurmctld, slurmd, slurm-client and munge where they are missing and
# this is a root shell with apt-get; skips with the reason otherwise. Then:
#   1. sbatch --test-only: the CPU script (every option) is accepted; a GPU script is refused on this GPU-less node for
#      its GPU request and nothing else; the default 24 h limit is refused by the partition's 60 min;
#   2. a submission whose binary is missing fails loudly (exit 127) and --aggregate names both tasks and why;
#   3. the tiny sweep (two points, HMC and Metropolis) runs as an array: every task COMPLETED, its log and run files
#      present, and the summary and ensembles identical to the same sweep run locally (same seeds);
#   4. a longer sweep: one task is scancelled mid-run, --aggregate reports it with its log's last line, the array is
#      re-submitted, and the ensembles come out byte-identical to a local run: nothing lost.
# It stops only the daemons it started, by PID, and removes its directory (LATTICEFLOW_SLURM_KEEP=1 keeps it).
# Slurm facts used: sbatch --wait returns the highest exit code of the array's tasks (it polls every few seconds, so the
# other submissions poll squeue themselves); without accounting there is no sacct, so task states come from
# `squeue -t all` (finished jobs stay listed for MinJobAge seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."
root_dir=$PWD
CLI="$root_dir/${LATTICEFLOW_CLI:-bin/latticeflow}"
start=$SECONDS
say() { printf 'test-slurm [%3ds] %s\n' "$((SECONDS - start))" "$*"; }
skip() { say "SKIPPED: $*"; exit 0; }

packages=(slurmctld slurmd slurm-client munge)
[[ $(uname -s) == Linux ]] || skip "needs Linux"
[[ $(id -u) == 0 ]] || skip "needs root (to install Slurm and start munged, slurmctld and slurmd); run it as root, as CI does"
[[ -x $CLI ]] || { say "FAILED: $CLI is missing (make build)"; exit 1; }
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
    command -v apt-get >/dev/null || skip "Slurm is not installed (${missing[*]}) and there is no apt-get to install it"
    say "installing ${missing[*]} (Debian packages, --no-install-recommends)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${packages[@]}" >/tmp/latticeflow-slurm-apt.log 2>&1; then
        apt-get update -q >>/tmp/latticeflow-slurm-apt.log 2>&1 || true
        apt-get install -y -q --no-install-recommends "${packages[@]}" >>/tmp/latticeflow-slurm-apt.log 2>&1 ||
            { tail -20 /tmp/latticeflow-slurm-apt.log; rm -f /tmp/latticeflow-slurm-apt.log; say "FAILED: could not install ${packages[*]}"; exit 1; }
    fi
    rm -f /tmp/latticeflow-slurm-apt.log
fi
for d in slurmctld slurmd; do
    pid=$(pidof "$d" || true)
    [[ -z $pid ]] || skip "a $d already runs here (PID $pid); this test brings up a one-node cluster of its own"
done
ctld_port=26817 slurmd_port=26818
for port in $ctld_port $slurmd_port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then skip "port $port is in use"; fi
done
version=$(slurmctld -V)
say "Slurm: $version"

T=$(mktemp -d /tmp/latticeflow-slurm.XXXXXX)
chmod 755 "$T"
old_steps=" $(pidof slurmstepd || true) "
munge_pid='' ctld_pid='' slurmd_pid=''
export SLURM_CONF="$T/slurm.conf"
unset SLURM_JOB_ID SLURM_ARRAY_JOB_ID SLURM_ARRAY_TASK_ID LATTICEFLOW

show_logs() {
    for f in "$T"/slurmctld.log "$T"/slurmd.log "$T"/munged.stderr "$T"/*/logs/*.out; do
        [[ -f $f ]] || continue
        echo "---- ${f#"$T"/} (last 15 lines)"
        tail -15 "$f"
    done
}

stop() {  # stop PID: SIGTERM, then SIGKILL after 20 s
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? i pid
    set +e
    trap - EXIT
    ((rc == 0)) || { say "FAILED (exit status $rc); daemon and task logs:"; show_logs; }
    if [[ -n $ctld_pid ]] && kill -0 "$ctld_pid" 2>/dev/null; then
        scancel --quiet --user=root 2>/dev/null
        for ((i = 0; i < 60; i++)); do [[ -z $(squeue -h -t PD,R,CG,S 2>/dev/null) ]] && break; sleep 0.5; done
    fi
    stop "$slurmd_pid"
    stop "$ctld_pid"
    stop "$munge_pid"
    # Job steps that outlived slurmd (there should be none): only those that were not there before this test.
    for pid in $(pidof slurmstepd); do
        [[ $old_steps == *" $pid "* ]] || { say "stopping a stray slurmstepd, PID $pid"; kill -KILL "$pid"; }
    done
    if [[ ${LATTICEFLOW_SLURM_KEEP:-} == 1 ]]; then say "kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { say "FAILED: $*"; exit 1; }
# wait_for SECONDS WHAT COMMAND...: poll until COMMAND succeeds.
wait_for() {
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit * 4; i++)); do "$@" && return 0; sleep 0.25; done
    fail "timed out after $limit s waiting for $what"
}

# --- the cluster ---------------------------------------------------------------------------------------------------
host=$(hostname -s)
read -r cpus memory < <(slurmd -C | sed -n 's/.* CPUs=\([0-9]*\) .* RealMemory=\([0-9]*\).*/\1 \2/p')
mkdir -p "$T/munge" "$T/ctld" "$T/slurmd"
mungekey --create --keyfile="$T/munge/munge.key" >/dev/null
chown -R munge:munge "$T/munge"
chmod 711 "$T/munge"  # munged: the socket's directory must be searchable by all, and writable by none but munge
setpriv --reuid=munge --regid=munge --clear-groups -- munged --foreground --socket="$T/munge/munge.socket.2" \
    --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
    --seed-file="$T/munge/munged.seed" 2>>"$T/munged.stderr" &
munge_pid=$!
munge_ok() { munge -n --socket="$T/munge/munge.socket.2" 2>/dev/null | unmunge --socket="$T/munge/munge.socket.2" >/dev/null 2>&1; }
wait_for 20 munged munge_ok

cat >"$SLURM_CONF" <<EOF
ClusterName=latticeflow-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/slurmd
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
EnforcePartLimits=ALL
ReturnToService=2
MinJobAge=900
KillWait=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=60 State=UP
EOF
slurmctld -D >/dev/null 2>&1 &
ctld_pid=$!
slurmd -D -N "$host" >/dev/null 2>&1 &
slurmd_pid=$!
node_idle() { [[ $(sinfo -h -n "$host" -o %t 2>/dev/null) == idle ]]; }
wait_for 60 "the node to come up idle" node_idle
say "one-node cluster up: $host, $cpus CPUs, $memory MB, partition debug (MaxTime 60 min); munged $munge_pid, slurmctld $ctld_pid, slurmd $slurmd_pid"

# --- helpers -------------------------------------------------------------------------------------------------------
# states JOB: "TASK STATE" per array task, from squeue (no accounting here, so no sacct).
states() { squeue -h -t all -j "$1" -o '%K %T' | sort -n | paste -sd' '; }
finished() { [[ -z $(squeue -h -j "$1" -t PD,R,CG,S,CF 2>/dev/null) ]]; }
expect_states() {  # expect_states JOB STATE...: task i in the i-th state
    local job=$1 got want
    shift
    got=$(states "$job")
    want=$(i=0; for s in "$@"; do printf '%d %s\n' "$i" "$s"; i=$((i + 1)); done | paste -sd' ')
    [[ $got == "$want" ]] || fail "job $job: task states '$got', expected '$want'"
}
# physics JSON-free comparison: summary.csv without its timing columns.
physics() { awk -F, 'NR==1{for(i=1;i<=NF;i++) keep[i]=($i !~ /seconds/)} {s=""; for(i=1;i<=NF;i++) if(keep[i]) s=s $i ","; print s}' "$1"; }
same_ensembles() {  # same_ensembles DIR_A DIR_B: every run's data files byte for byte
    local a=$1 b=$2 n=0 f
    while IFS= read -r f; do
        cmp -s "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
        n=$((n + 1))
    done < <(cd "$a" && find . -name measurements.csv -o -name timeslices.npy -o -name fields.npy | sort)
    ((n > 0)) || fail "no run files in $a"
    [[ $(cd "$a" && find . -name measurements.csv | wc -l) == $(cd "$b" && find . -name measurements.csv | wc -l) ]] || fail "$a and $b hold different runs"
    say "  $n run files byte-identical to the local sweep's"
}
aggregate() { "$CLI" sweep --aggregate --out "$1" >"$T/aggregate.out" 2>&1 || { cat "$T/aggregate.out"; fail "sweep --aggregate --out $1"; }; }

cat >"$T/tiny.json" <<'EOF'
{"name": "slurm-tiny", "algorithms": ["hmc", "metropolis"], "configs": 400, "therm": 100, "seed": 11,
 "points": [{"L": 6, "m2": -4, "lam": 6.975}, {"L": 8, "m2": -4, "lam": 6.008}]}
EOF
cat >"$T/setup.sh" <<'EOF'
# what a cluster user would put here: module load ..., conda activate ...
export LATTICEFLOW_TEST_SETUP="ran on $(hostname)"
echo "setup: $LATTICEFLOW_TEST_SETUP"
EOF
cpu_options=(--gpus-per-task 0 --cpus-per-task 1 --mem 256M --time 10 --partition debug --account physics --max-parallel 2 --setup "$T/setup.sh")

# --- 1. sbatch's own checks ----------------------------------------------------------------------------------------
"$CLI" sweep --file "$T/tiny.json" --emit-slurm "$T/a" "${cpu_options[@]}" >/dev/null
sbatch --test-only "$T/a/sweep.sbatch" >"$T/test-only.out" 2>&1 || { cat "$T/test-only.out"; fail "sbatch --test-only refused the CPU script"; }
say "1. sbatch --test-only accepts the CPU script: $(cat "$T/test-only.out")"
"$CLI" sweep --file "$T/tiny.json" --emit-slurm "$T/gpu" --time 10 --partition debug --cpus-per-task 1 >/dev/null
grep -q '^#SBATCH --gres=gpu:1$' "$T/gpu/sweep.sbatch" || fail "the default script asks for no GPU"
if sbatch --test-only "$T/gpu/sweep.sbatch" >"$T/test-only.out" 2>&1; then fail "sbatch accepted a GPU request on a node without GPUs"; fi
grep -q 'Invalid generic resource (gres) specification' "$T/test-only.out" || { cat "$T/test-only.out"; fail "the GPU script was refused for another reason"; }
say "   the GPU script (--gpus-per-task 1) is refused here as expected: $(cat "$T/test-only.out")"
sed '/^#SBATCH --gres=/d' "$T/gpu/sweep.sbatch" >"$T/gpu/no-gres.sbatch"
sbatch --test-only "$T/gpu/no-gres.sbatch" >"$T/test-only.out" 2>&1 || { cat "$T/test-only.out"; fail "the GPU script without its GPU request was refused"; }
say "   and accepted without its GPU line: nothing else in it is wrong"
"$CLI" sweep --file "$T/tiny.json" --emit-slurm "$T/default" --gpus-per-task 0 --cpus-per-task 1 >/dev/null
if sbatch --test-only "$T/default/sweep.sbatch" >"$T/test-only.out" 2>&1; then fail "the partition's 60-minute limit did not refuse a 24 h task"; fi
grep -q 'time limit' "$T/test-only.out" || { cat "$T/test-only.out"; fail "the 24 h script was refused for another reason"; }
say "   the default 24 h limit is refused by the partition's 60 min (EnforcePartLimits=ALL): --time reaches sbatch"

# --- 2. a missing binary fails loudly --------------------------------------------------------------------------------
rc=0
job=$(sbatch --parsable --wait --export="ALL,LATTICEFLOW=$T/no-such/latticeflow" "$T/a/sweep.sbatch") || rc=$?
job=${job%%;*}
((rc == 127)) || fail "sbatch --wait with a missing binary returned $rc, expected 127"
expect_states "$job" FAILED FAILED
aggregate "$T/a"
grep -q 'array tasks not finished: 2 of 2' "$T/aggregate.out" || { cat "$T/aggregate.out"; fail "--aggregate did not list both failed tasks"; }
grep -q "last line of logs/task-1-job-$job.out: latticeflow-task 1: error: no latticeflow binary to run: $T/no-such/latticeflow" "$T/aggregate.out" ||
    { cat "$T/aggregate.out"; fail "--aggregate did not say why task 1 failed"; }
say "2. missing binary: job $job exit 127, both tasks FAILED, and --aggregate says why:"
grep -A1 '  task 1' "$T/aggregate.out" | sed 's/^/     /'

# --- 3. the tiny sweep on Slurm and locally -------------------------------------------------------------------------
job=$(sbatch --parsable "$T/a/sweep.sbatch")
job=${job%%;*}
wait_for 300 "job $job to end" finished "$job"
expect_states "$job" COMPLETED COMPLETED
for task in 0 1; do
    log="$T/a/logs/task-$task-job-$job.out"
    [[ -f $log ]] || fail "no log $log"
    grep -q "^setup: ran on $host$" "$log" || fail "task $task: the setup did not run ($log)"
    grep -q "from the path recorded when this script was written) on device cpu" "$log" || fail "task $task: not the recorded binary on the CPU ($log)"
    [[ $(tail -1 "$log") == "sweep finished in "* ]] || fail "task $task: its log does not end with the sweep's end ($log)"
done
for meta in "$T"/a/runs/*/*/meta.json; do grep -q '"status": "complete"' "$meta" || fail "$meta is not complete"; done
[[ $(ls "$T"/a/runs/*/*/meta.json | wc -l) == 4 ]] || fail "expected 4 runs in $T/a/runs"
aggregate "$T/a"
grep -q 'all 2 array tasks finished' "$T/aggregate.out" || { cat "$T/aggregate.out"; fail "--aggregate: tasks left after a complete job"; }
say "3. tiny sweep: job $job, tasks $(states "$job"); logs, 4 complete runs, aggregated"
"$CLI" sweep --file "$T/tiny.json" --out "$T/local-a" --device cpu --quiet >/dev/null
diff <(physics "$T/a/runs/summary.csv") <(physics "$T/local-a/summary.csv") >/dev/null ||
    { diff <(physics "$T/a/runs/summary.csv") <(physics "$T/local-a/summary.csv"); fail "Slurm and local summaries differ"; }
say "  summary.csv identical to the local sweep's in every column but the timings ($(($(wc -l <"$T/local-a/summary.csv") - 1)) rows)"
same_ensembles "$T/a/runs" "$T/local-a"

# --- 4. cancel a task mid-run, re-submit, lose nothing ------------------------------------------------------------
cat >"$T/long.json" <<'EOF'
{"name": "slurm-resume", "algorithms": ["hmc", "metropolis"], "configs": 25000, "therm": 1000, "seed": 21, "fields": false,
 "points": [{"L": 8, "m2": -4, "lam": 6.008}, {"L": 32, "m2": -4, "lam": 4.572}]}
EOF
"$CLI" sweep --file "$T/long.json" --emit-slurm "$T/b" "${cpu_options[@]}" >/dev/null
job=$(sbatch --parsable "$T/b/sweep.sbatch")
job=${job%%;*}
big="$T/b/runs/L32_m2-4_lam4.572"
sampling() { [[ -f $big/hmc-r0/measurements.csv ]] && (($(wc -l <"$big/hmc-r0/measurements.csv") > 2000)); }
wait_for 300 "task 1 to be sampling" sampling
scancel "${job}_1"
wait_for 300 "job $job to end" finished "$job"
expect_states "$job" COMPLETED CANCELLED
unfinished=0
for run in hmc-r0 metropolis-r0; do grep -qs '"status": "complete"' "$big/$run/meta.json" || unfinished=$((unfinished + 1)); done
((unfinished > 0)) || fail "task 1 finished before it was cancelled: make the long sweep longer"
aggregate "$T/b"
grep -q 'array tasks not finished: 1 of 2' "$T/aggregate.out" && grep -q "Slurm: .*JOB $job ON $host CANCELLED AT" "$T/aggregate.out" ||
    { cat "$T/aggregate.out"; fail "--aggregate did not report the cancelled task and why"; }
say "4. job $job: task 1 cancelled mid-run (scancel ${job}_1); --aggregate:"
grep -A2 '  task 1' "$T/aggregate.out" | sed 's/^/     /'
# A run started afresh would be deleted and written anew (the same bytes: same seed); a resumed one appends to its files.
ln "$big/hmc-r0/measurements.csv" "$T/interrupted-measurements.csv"
job2=$(sbatch --parsable "$T/b/sweep.sbatch")
job2=${job2%%;*}
wait_for 300 "job $job2 to end" finished "$job2"
expect_states "$job2" COMPLETED COMPLETED
grep -q 'hmc r0: done before' "$T/b/logs/task-0-job-$job2.out" || fail "the re-submission did not skip task 0's finished runs"
[[ $big/hmc-r0/measurements.csv -ef $T/interrupted-measurements.csv ]] || fail "task 1's interrupted run was started afresh, not resumed"
aggregate "$T/b"
grep -q 'all 2 array tasks finished' "$T/aggregate.out" || { cat "$T/aggregate.out"; fail "tasks left after the re-submission"; }
say "  re-submitted as job $job2: tasks $(states "$job2"); task 0 skipped its finished runs, task 1 resumed"
"$CLI" sweep --file "$T/long.json" --out "$T/local-b" --device cpu --quiet >/dev/null
diff <(physics "$T/b/runs/summary.csv") <(physics "$T/local-b/summary.csv") >/dev/null || fail "after the re-submission the summary differs from the local sweep's"
same_ensembles "$T/b/runs" "$T/local-b"
say "PASSED in $((SECONDS - start)) s ($version)"
