#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# setup.sh - from a fresh Debian 12 machine to a running proof, as root.
#
# usage: scripts/setup.sh demo    install what is missing, build, run the
#                                 demo lab and print the proof
#        scripts/setup.sh test    install what is missing, build with
#                                 -Dwerror=true, run every test suite
#
# The build directory is ./build (BUILDDIR overrides it).  Exit status: that
# of the failing step, or 0.

set -eu

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}

usage()
{
	echo "usage: setup.sh demo | test" >&2
	exit 2
}

step()
{
	printf '\n==> %s\n' "$*"
}

mount_bpffs()
{
	[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] && return 0
	step "mounting the BPF file system on /sys/fs/bpf"
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf
}

# build [MESON OPTION...]: configure (or reconfigure) and compile.
build()
{
	step "building in $BUILDDIR $*"
	if [ -f "$BUILDDIR/build.ninja" ]; then
		meson configure "$BUILDDIR" "$@"
	else
		meson setup "$BUILDDIR" "$SRCDIR" "$@"
	fi
	meson compile -C "$BUILDDIR"
}

main()
{
	[ $# -eq 1 ] || usage
	case $1 in
	demo | test) ;;
	*) usage ;;
	esac
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: run as root: the lab uses network namespaces and XDP" >&2
		exit 1
	fi
	export PATH=$PATH:/usr/sbin:/sbin

	step "installing missing packages"
	"$SRCDIR/scripts/install-deps.sh"
	mount_bpffs

	case $1 in
	demo)
		build -Dwerror=false
		step "running the demo lab"
		VXFWD=$BUILDDIR/engine/vxfwd "$SRCDIR/scripts/demo.sh"
		;;
	test)
		build -Dwerror=true
		step "running every test suite"
		meson test -C "$BUILDDIR" --print-errorlogs
		;;
	esac
}

main "$@"
