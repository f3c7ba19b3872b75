#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rxcpus.sh VXFWD - the receive CPUs of ens5 (host_rx.c) as doctor reports
# them, and the CPUs `vxfwd run` pins its worker to when none are
# configured, in the small lab (tests/lab/lib.sh).  vxfwd runs through `ip
# netns exec` here, which mounts the sensor's own sysfs, and under
# `taskset -c 0,1`, so that the CPUs it may use are exactly 0 and 1.  Cases:
#   napi  threaded NAPI on ens5 (GRO on gives the veth a NAPI instance), its
#         kthread pinned to CPU 1: doctor says ens5 receives on CPU 1, run
#         pins the worker to CPU 0 (its log, the state file, the thread)
#   rps   threaded NAPI off, rx-0's RPS mask CPU 0: receive on CPU 0, the
#         worker on CPU 1
#   alone run may use CPU 0 alone, which receives (RPS): the worker floats
#         and runs as SCHED_FIFO 1, and run advises threaded NAPI, since a
#         receive in softirq is preempted by no thread
#   conf  `engine { cpus 0 }` with RPS on CPU 0: doctor warns, run keeps
#         CPU 0 and warns
# Skips (77) with fewer than two CPUs.
set -u

vxfwd=$(realpath "$1")
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
t_need_root "needs root for network namespaces"
t_need_tools ip ethtool taskset
taskset -c 0,1 true 2>/dev/null || t_skip "needs CPUs 0 and 1 (nproc: $(nproc))"

lab_init rx
tag=vxfrx$$
S=$LAB_NS_S
work=$LAB_TMP
rules=$work/$tag.rules
LAB_INSTANCES+=("$tag")

sensor() { ip netns exec "$S" "$@"; }
sysfs() { sensor sh -c "echo $2 >/sys/class/net/ens5/$1"; }

write_rules() {
	{
		printf 'ingress ens5 {\n\tvxlan port 4789\n\tvni 1\n}\n\negress ens6\n\n'
		printf 'forward udp from 198.51.100.10 to port 31765 dnat 172.30.82.95 port 8081\n'
		[ -z "${1:-}" ] || printf 'engine {\n\tcpus %s\n}\n' "$1"
	} >"$rules"
}

# The PIDs of the napi/ens5-* kthreads, one a line.
napi_pids() {
	local p
	for p in /proc/[0-9]*; do
		case $(cat "$p/comm" 2>/dev/null) in
		napi/ens5-*) echo "${p#/proc/}" ;;
		esac
	done | sort
}

# doctor_says CASE REGEX: doctor in the sensor has a receive CPUs line like REGEX.
doctor_says() {
	local out line
	out=$(sensor taskset -c 0,1 "$vxfwd" doctor -f "$rules" 2>&1)
	line=$(printf '%s\n' "$out" | grep 'receive CPUs:')
	if printf '%s\n' "$line" | grep -Eq -- "$2"; then
		t_ok "$1: doctor: $line"
	else
		t_fail "$1: doctor: no line matches /$2/: ${line:-no receive CPUs line}"
	fi
}

# thread_on PID CPU: a thread of PID may run on CPU alone (the loop starts
# the workers after "forwarding from").
thread_on() {
	cat /proc/"$1"/task/*/status | grep -q "^Cpus_allowed_list:[[:space:]]*$2\$"
}

# run_says CASE CPU REGEX: run in the sensor logs REGEX, and its worker is
# on CPU (state file, thread affinity); stopped by SIGTERM.
run_says() {
	local name=$1 cpu=$2 re=$3 log=$work/$1.log pid state
	# Not through sensor(): ip and taskset exec, so $! is vxfwd's own PID.
	ip netns exec "$S" taskset -c 0,1 "$vxfwd" run -f "$rules" -n "$tag" >"$log" 2>&1 </dev/null &
	pid=$!
	LAB_PIDS+=("$pid")
	if ! lab_wait_forwarding "$pid" "$log"; then
		t_fail "$name: run did not start forwarding: $(tail -n 5 "$log")"
		lab_kill "$pid"
		return
	fi
	if grep -Eq -- "$re" "$log"; then
		t_ok "$name: run: $(grep -E -- "$re" "$log")"
	else
		t_fail "$name: run: no line matches /$re/: $(grep 'engine:' "$log")"
	fi
	state=$(grep '^worker ' "/run/vxfwd/$tag.rules.state")
	if [ "$state" = "worker 0 cpu $cpu" ]; then
		t_ok "$name: state file: $state"
	else
		t_fail "$name: state file says '$state', expected 'worker 0 cpu $cpu'"
	fi
	if lab_wait 5 thread_on "$pid" "$cpu"; then
		t_ok "$name: a thread of run is pinned to CPU $cpu"
	else
		t_fail "$name: no thread of run is pinned to CPU $cpu: $(grep -h Cpus_allowed_list /proc/"$pid"/task/*/status | tr '\n\t' '; ')"
	fi
	lab_kill "$pid"
}

lab_small_up ""
write_rules

# napi: the kthread that appears when threaded NAPI is turned on is ens5's.
before=$(napi_pids)
sensor ethtool -K ens5 gro on >/dev/null 2>&1
sysfs threaded 1 2>/dev/null ||
	t_skip "threaded NAPI on a veth: the kernel refuses /sys/class/net/ens5/threaded"
napi=$(comm -13 <(echo "$before") <(napi_pids) | head -n 1)
[ -n "$napi" ] || lab_die "threaded NAPI on: no new napi/ens5-* kthread"
taskset -p 2 "$napi" >/dev/null || lab_die "taskset -p 2 $napi failed"
comm=$(cat /proc/"$napi"/comm)
doctor_says napi "^ok    receive CPUs: ens5 receives on CPU 1 \(threaded NAPI $comm\), no CPUs configured: run pins the workers to 0\$"
run_says napi 0 "engine: workers pinned to CPU 0, free of ens5's receive \(CPU 1: threaded NAPI $comm\)"

# rps: receive steered to CPU 0 alone.
sysfs threaded 0
sysfs queues/rx-0/rps_cpus 1
doctor_says rps '^ok    receive CPUs: ens5 receives on CPU 0 \(RPS\), no CPUs configured: run pins the workers to 1$'
run_says rps 1 "engine: workers pinned to CPU 1, free of ens5's receive \(CPU 0: RPS\)"

# alone: run may use CPU 0 only, which receives: the worker floats there as
# SCHED_FIFO 1 (field 41 of a thread's stat is its policy, 1 for FIFO).
fifo_thread() {
	local st
	for st in /proc/"$1"/task/*/stat; do
		awk '{ sub(/.*\) /, ""); if ($39 == 1) f = 1 } END { exit !f }' "$st" && return 0
	done
	return 1
}
line=$(sensor taskset -c 0 "$vxfwd" doctor -f "$rules" 2>&1 | grep 'receive CPUs:')
if printf '%s\n' "$line" | grep -Eq '^warn  receive CPUs: ens5 receives on CPU 0 \(RPS\), workers float; every CPU the workers may use receives, in softirq, .*\[echo 1 > /sys/class/net/ens5/threaded\]$'; then
	t_ok "alone: doctor: $line"
else
	t_fail "alone: doctor: ${line:-no receive CPUs line}"
fi
log=$work/alone.log
ip netns exec "$S" taskset -c 0 "$vxfwd" run -f "$rules" -n "$tag" >"$log" 2>&1 </dev/null &
pid=$!
LAB_PIDS+=("$pid")
if ! lab_wait_forwarding "$pid" "$log"; then
	t_fail "alone: run did not start forwarding: $(tail -n 5 "$log")"
else
	re="engine: workers float, as SCHED_FIFO 1: every CPU this process may use receives on ens5 \(CPU 0: RPS\)"
	if grep -Eq -- "$re" "$log"; then
		t_ok "alone: run: $(grep -E -- "$re" "$log")"
	else
		t_fail "alone: run: no line matches /$re/: $(grep 'engine:' "$log")"
	fi
	re="engine: ens5's receive runs in softirq, which the workers cannot preempt: .*echo 1 > /sys/class/net/ens5/threaded"
	if grep -Eq -- "$re" "$log"; then
		t_ok "alone: run advises threaded NAPI for a receive in softirq (RPS)"
	else
		t_fail "alone: run: no line matches /$re/: $(grep 'engine:' "$log")"
	fi
	if lab_wait 5 fifo_thread "$pid"; then
		t_ok "alone: a thread of run is SCHED_FIFO"
	else
		t_fail "alone: no thread of run is SCHED_FIFO"
	fi
fi
lab_kill "$pid"

# conf: the engine block wins, with a warning.
write_rules 0
doctor_says conf "^warn  receive CPUs: ens5 receives on CPU 0 \(RPS\), workers pinned to 0: they share a CPU with ens5's receive; .*drop_ring_full \[pin the workers to other CPUs"
run_says conf 0 "engine: the workers' CPUs share a CPU with ens5's receive \(CPU 0: RPS\)"

t_done rxcpus
