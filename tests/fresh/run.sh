#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/fresh/run.sh - the README's two commands on a fresh Debian 12.
#
# Builds a minimal Debian 12 root (mmdebstrap --variant=minbase bookworm,
# then git and ca-certificates, nothing else) from the apt sources this host
# is configured with, clones the committed HEAD of this repository into it
# as /work/vxfwd with a copy of ../shared beside it, and runs inside it, as
# root through chroot, exactly
#
#     scripts/setup.sh demo
#     scripts/setup.sh test
#
# It reports each command's exit status and wall time, the demo's proof and
# the test summary with the reason of every skip, and exits 0 only when both
# commands exit 0 and the demo prints PROOF HOLDS.
#
# Everything happens in a private mount namespace: the root's /proc, /sys,
# /dev, a BPF file system and /run (a tmpfs, so /run/netns is the root's
# own) never show outside it, and go with it.  The root is bind-mounted
# onto itself so that / is a mount point in the chroot, as `ip -n` and `ip
# netns exec` need.  Namespace names are unique per PID, and PIDs are
# shared with the host, so concurrent runs do not collide.  The root and
# its mounts are removed on any exit.
#
# usage: tests/fresh/run.sh [-v]
#   -v  stream both commands' output (always written to the log directory)
#
# Environment:
#   FRESH_CACHE   cache directory (default /var/cache/vxfwd-fresh): the base
#                 root tarball, rebuilt when older than 7 days, and the .deb
#                 files the root downloaded, offered to the next run's apt
#   FRESH_LOGDIR  where the logs go (default: a new /tmp/vxfwd-fresh-log.*)
#   FRESH_TMP     where the root is built (default /var/tmp)
#
# Exit status: 0 both pass, 1 a command failed or a check did not hold,
# 2 usage, 3 the fresh root could not be built.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)
CACHE=${FRESH_CACHE:-/var/cache/vxfwd-fresh}
TARBALL=$CACHE/bookworm-minbase-git.tar
SUITE=bookworm
INCLUDE=git,ca-certificates
# Inside the root: the clone, and shared/ beside it as README.md expects.
CHROOT_SRC=/work/vxfwd
CHROOT_SHARED=/work/shared
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say()
{
	printf 'fresh: %s\n' "$*"
}

die()
{
	printf 'fresh: error: %s\n' "$*" >&2
	exit 3
}

# The host's apt sources: the registry the root is built from and uses.
apt_sources()
{
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -s "$f" ] && printf '%s\n' "$f"
	done
}

ensure_mmdebstrap()
{
	command -v mmdebstrap >/dev/null && return 0
	say "installing mmdebstrap from the host's apt sources"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		mmdebstrap >/dev/null ||
		{ apt-get update -q >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends mmdebstrap >/dev/null; } ||
		die "cannot install mmdebstrap"
}

# The base root: minbase plus git and ca-certificates, cached as a tarball.
base_tarball()
{
	local -a sources
	local tmp

	mkdir -p "$CACHE/debs" || die "mkdir $CACHE failed"
	exec 8>"$CACHE/lock"
	flock 8
	if [ -s "$TARBALL" ] && [ -z "$(find "$TARBALL" -mtime +7)" ]; then
		say "base root: $TARBALL (cached)"
	else
		mapfile -t sources < <(apt_sources)
		[ ${#sources[@]} -gt 0 ] || die "no apt sources in /etc/apt"
		say "base root: mmdebstrap --variant=minbase --include=$INCLUDE $SUITE from ${sources[*]}"
		tmp=$CACHE/new.$$.tar	# mmdebstrap picks the format by the name
		mmdebstrap --quiet --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" \
			"${sources[@]}" >"$LOGDIR/mmdebstrap.log" 2>&1 ||
			{ rm -f "$tmp"; tail -n 30 "$LOGDIR/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
		mv "$tmp" "$TARBALL"
	fi
	exec 8>&-
}

# Unpack the root, give it the host's apt sources, name resolution and
# hosts file, the cached .debs, and the clone.
make_root()
{
	local f commit

	mkdir "$ROOT" || die "mkdir $ROOT failed"
	tar -C "$ROOT" --xattrs --xattrs-include='*' -xpf "$TARBALL" ||
		die "cannot unpack $TARBALL into $ROOT"
	rm -f "$ROOT/etc/apt/sources.list" "$ROOT"/etc/apt/sources.list.d/*
	while read -r f; do
		cp "$f" "$ROOT$f" || die "cannot copy $f into the root"
	done < <(apt_sources)
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" || die "cannot copy /etc/resolv.conf"
	[ -e /etc/hosts ] && cp -L /etc/hosts "$ROOT/etc/hosts"
	# A chroot, not a booted machine: package scripts start no services
	# (they would outlive the run and hold its mounts).
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
	find "$CACHE/debs" -maxdepth 1 -name '*.deb' -exec cp -l -t "$ROOT/var/cache/apt/archives" {} + 2>/dev/null ||
		find "$CACHE/debs" -maxdepth 1 -name '*.deb' -exec cp -t "$ROOT/var/cache/apt/archives" {} +

	mkdir -p "$ROOT$(dirname "$CHROOT_SRC")"
	git clone -q "$SRCDIR" "$ROOT$CHROOT_SRC" || die "git clone $SRCDIR failed"
	commit=$(git -C "$ROOT$CHROOT_SRC" rev-parse --short HEAD)
	[ -d "$SRCDIR/../shared" ] || die "$SRCDIR/../shared: not found"
	cp -a "$SRCDIR/../shared" "$ROOT$CHROOT_SHARED" || die "cannot copy ../shared"
	say "root: $ROOT: Debian $(cat "$ROOT/etc/debian_version"), $(chroot "$ROOT" dpkg-query -W -f='.\n' | wc -l) packages; clone of $commit at $CHROOT_SRC, shared/ at $CHROOT_SHARED"
}

# Keep what apt downloaded for the next run.
save_debs()
{
	[ -d "$ROOT/var/cache/apt/archives" ] || return 0
	find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
		-exec cp -n -t "$CACHE/debs" {} + 2>/dev/null
	return 0
}

# PIDs of processes whose root is the fresh root.
root_pids()
{
	local p

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && printf '%s\n' "${p#/proc/}"
	done
}

cleanup()
{
	local rc=$? pids

	trap - EXIT INT TERM HUP
	if [ -n "${INNER_PID:-}" ] && kill -0 "$INNER_PID" 2>/dev/null; then
		kill -TERM "$INNER_PID" 2>/dev/null
		sleep 1
	fi
	if [ -n "${ROOT:-}" ]; then
		pids=$(root_pids)
		if [ -n "$pids" ]; then
			say "stopping what still runs in the root: ${pids//$'\n'/ }"
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
		fi
		save_debs
	fi
	[ -n "${INNER_PID:-}" ] && wait "$INNER_PID" 2>/dev/null
	# The mounts were made in the inner mount namespace only; here the
	# root is plain directories, which --one-file-system keeps us inside.
	case ${WORK:-} in
	/*/vxfwd-fresh.*) rm -rf --one-file-system "$WORK" ;;
	esac
	say "logs in $LOGDIR"
	exit "$rc"
}

# ---- inside the private mount namespace ---------------------------------

inner_cleanup()
{
	local rc=$?

	trap - EXIT INT TERM HUP
	umount -R -l "$ROOT" 2>/dev/null
	exit "$rc"
}

# run_in_root LOG CMD: run CMD (a shell command line) in the root as root,
# from the clone, with the environment of a root login; its status in RC
# and its wall time in seconds in SECS.
run_in_root()
{
	local log=$1 cmd=$2 t0

	t0=$(date +%s.%N)
	if [ "$VERBOSE" -eq 1 ]; then
		chroot "$ROOT" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
			TERM=dumb PATH="$ROOT_PATH" /bin/bash -c "cd $CHROOT_SRC && $cmd" \
			</dev/null 2>&1 | tee "$log"
		RC=${PIPESTATUS[0]}
	else
		chroot "$ROOT" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
			TERM=dumb PATH="$ROOT_PATH" /bin/bash -c "cd $CHROOT_SRC && $cmd" \
			</dev/null >"$log" 2>&1
		RC=$?
	fi
	SECS=$(echo "$t0 $(date +%s.%N)" | awk '{ printf "%.0f", $2 - $1 }')
}

mount_root()
{
	mount --bind "$ROOT" "$ROOT" &&
		mount -t proc proc "$ROOT/proc" &&
		mount --rbind /sys "$ROOT/sys" &&
		mount -t bpf bpf "$ROOT/sys/fs/bpf" &&
		mount --rbind /dev "$ROOT/dev" &&
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$ROOT/run" &&
		mkdir -m 1777 "$ROOT/run/lock"
}

inner()
{
	local demo_rc demo_secs test_rc test_secs verdict leak summary skips bad=0

	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mount_root || die "cannot mount /proc, /sys, /sys/fs/bpf, /dev and /run in $ROOT"

	say "running 'scripts/setup.sh demo' in the root"
	run_in_root "$LOGDIR/demo.log" "scripts/setup.sh demo"
	demo_rc=$RC demo_secs=$SECS
	say "'scripts/setup.sh demo': exit $demo_rc in ${demo_secs} s"
	if grep -q '^vxfwd demo: the proof' "$LOGDIR/demo.log"; then
		sed -n '/^vxfwd demo: the proof/,$p' "$LOGDIR/demo.log" | sed 's/^/  | /'
	else
		tail -n 40 "$LOGDIR/demo.log" | sed 's/^/  | /'
	fi
	verdict=$(grep -E '^PROOF (HOLDS|FAILED)' "$LOGDIR/demo.log" | tail -n 1)
	leak=$(grep -E '^ *leaked out of ens5:' "$LOGDIR/demo.log" | tail -n 1)
	[ "$demo_rc" -eq 0 ] && [ "${verdict#PROOF HOLDS}" != "$verdict" ] || bad=1

	say "running 'scripts/setup.sh test' in the root"
	run_in_root "$LOGDIR/test.log" "scripts/setup.sh test"
	test_rc=$RC test_secs=$SECS
	cp "$ROOT$CHROOT_SRC/build/meson-logs/testlog.txt" "$LOGDIR/testlog.txt" 2>/dev/null
	say "'scripts/setup.sh test': exit $test_rc in ${test_secs} s"
	summary=$(grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$LOGDIR/test.log" |
		tr -s ' ' | tr '\n' ' ')
	if [ -n "$summary" ]; then
		grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|SKIP|TIMEOUT|ERROR|UNEXPECTEDPASS) ' "$LOGDIR/test.log" |
			awk '!seen[$0]++ { print "  | " $0 }'
	else
		tail -n 40 "$LOGDIR/test.log" | sed 's/^/  | /'
	fi
	# Every skip with its reason; only a missing kernel feature may skip.
	skips=$(grep -E '^(SKIP|skip)[: ]|: skipped$' "$LOGDIR/testlog.txt" 2>/dev/null | sort -u)
	[ -n "$skips" ] && { say "skip reasons:"; printf '%s\n' "$skips" | sed 's/^/  | /'; }
	[ "$test_rc" -eq 0 ] || bad=1

	echo
	say "summary (clone of $(git -C "$ROOT$CHROOT_SRC" rev-parse --short HEAD) on a fresh Debian $(cat "$ROOT/etc/debian_version") root)"
	say "  scripts/setup.sh demo: exit $demo_rc, ${demo_secs} s, ${verdict:-no verdict}"
	say "  demo: ${leak#"${leak%%[! ]*}"}"
	say "  scripts/setup.sh test: exit $test_rc, ${test_secs} s"
	say "  tests: ${summary:-no summary}"
	return $bad
}

# ---- main ----------------------------------------------------------------

main()
{
	VERBOSE=0
	case ${1:-} in
	-v) VERBOSE=1 ;;
	'') ;;
	*)
		echo "usage: tests/fresh/run.sh [-v]" >&2
		exit 2
		;;
	esac
	[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mounts)"
	export PATH=$PATH:/usr/sbin:/sbin
	for tool in git unshare chroot flock; do
		command -v $tool >/dev/null || die "$tool: not found"
	done
	LOGDIR=${FRESH_LOGDIR:-$(mktemp -d /tmp/vxfwd-fresh-log.XXXXXX)}
	mkdir -p "$LOGDIR" || die "mkdir $LOGDIR failed"
	WORK=$(mktemp -d "${FRESH_TMP:-/var/tmp}/vxfwd-fresh.XXXXXX") || die "mktemp failed"
	ROOT=$WORK/root
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP

	ensure_mmdebstrap
	base_tarball
	make_root
	export ROOT LOGDIR VERBOSE
	unshare --mount --propagation private -- "$BASH" "${BASH_SOURCE[0]}" --inner &
	INNER_PID=$!
	wait "$INNER_PID"
	local rc=$?
	INNER_PID=
	return $rc
}

if [ "${1:-}" = --inner ]; then
	inner
	exit
fi
main "$@"
