#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# notify.sh [VXFWD] - what `vxfwd run` tells a service manager, read on a
# NOTIFY_SOCKET of the test's own (the protocol systemd's Type=notify and
# WatchdogSec= use), with the daemon in the lab (tests/lab/lib.sh):
#
#   READY=1    exactly once, and only when XDP is already on ens5 (the
#              listener looks at ens5 the moment it arrives)
#   STATUS=    the forwarding rate, which moves once traffic flows
#   WATCHDOG=1 with WATCHDOG_USEC set, at every look (half the interval)
#   STOPPING=1 at SIGTERM
#
# Root only (77 otherwise).
set -u
export VXFWD=${1:-${VXFWD:-}}
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"


lab_require
lab_init ntf
lab_up
lab_collector_listen
SOCK=$LAB_TMP/notify.sock
LOG=$LAB_TMP/notify.log

# The listener: one line per datagram, "T MESSAGE"; at READY=1 it also
# writes whether ens5 carries an XDP program at that moment.
"$LAB_PY" - "$SOCK" "$LOG" "$LAB_NS_S" <<'PY' &
import socket, subprocess, sys, time
path, log, ns = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
with open(log, "w", buffering=1) as out:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        t = time.monotonic()
        for line in msg.split("\n"):
            out.write("%.3f %s\n" % (t, line))
        if "READY=1" in msg:
            link = subprocess.run(["ip", "-n", ns, "-d", "link", "show", "ens5"],
                                  capture_output=True, text=True).stdout
            out.write("%.3f xdp-at-ready %s\n" % (t, "yes" if "prog/xdp" in link else "no"))
        if "STOPPING=1" in msg:
            break
PY
LISTENER=$!
LAB_PIDS+=("$LISTENER")
lab_wait 5 test -S "$SOCK" || lab_die "notify listener: no socket at $SOCK"

NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000 lab_vxfwd_start "$LAB_DIR/rules/lab.rules"
lab_wait_nexthop
lab_gen --mix udp:300 --out "$LAB_TMP/t.pcap" --manifest "$LAB_TMP/t.json" >/dev/null ||
	lab_die "gen.py failed"
lab_send "$LAB_TMP/t.pcap" 200
sleep 2
kill -TERM "$LAB_VXFWD_PID"
wait "$LAB_VXFWD_PID"
wait "$LISTENER"
cat "$LOG"

n=$(grep -c ' READY=1$' "$LOG")
[ "$n" -eq 1 ] && t_ok "READY=1 sent once" || t_fail "READY=1 sent $n times"
grep -q ' xdp-at-ready yes$' "$LOG" && t_ok "XDP was on ens5 when READY=1 arrived" ||
	t_fail "READY=1 arrived while ens5 had no XDP program"
grep -q ' STATUS=forwarding mirror traffic from ens5 to ens6$' "$LOG" &&
	t_ok "STATUS with READY names both interfaces" || t_fail "no STATUS with READY"
grep -Eq ' STATUS=forwarding ens5 -> ens6: [1-9][0-9]* frames/s, [1-9][0-9]* sent$' "$LOG" &&
	t_ok "STATUS carries a non-zero forwarding rate under traffic" ||
	t_fail "no STATUS with a forwarding rate"
n=$(grep -c ' WATCHDOG=1$' "$LOG")
# Looks every 500 ms for the ~4 s the daemon ran after READY.
[ "$n" -ge 4 ] && t_ok "WATCHDOG=1 pinged $n times" || t_fail "WATCHDOG=1 pinged $n times, want >= 4"
first_wd=$(awk '$2 == "WATCHDOG=1" { print $1; exit }' "$LOG")
ready=$(awk '$2 == "READY=1" { print $1; exit }' "$LOG")
awk -v a="$ready" -v b="${first_wd:-0}" 'BEGIN { exit !(b > a) }' &&
	t_ok "no WATCHDOG=1 before READY=1" || t_fail "WATCHDOG=1 at $first_wd before READY=1 at $ready"
grep -q ' STOPPING=1$' "$LOG" && t_ok "STOPPING=1 at SIGTERM" || t_fail "no STOPPING=1"
t_done notify
