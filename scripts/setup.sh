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
# The build directory is ./build (BUILDDIR overrides it), compiled with gcc
# (CC overrides it).  `test` also compiles the tree with the other compiler
# (clang for gcc and the reverse) at -Dwerror=true in ./build-OTHER
# (OTHER_BUILDDIR overrides it), so that both stay free of warnings; the
# tests run on the first build only.  Exit status: that of the failing step,
# or 0.

set -eu

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
CC=${CC:-gcc}
case $CC in
*clang*) OTHER_CC=gcc ;;
*) OTHER_CC=clang ;;
esac
OTHER_BUILDDIR=${OTHER_BUILDDIR:-$SRCDIR/build-$OTHER_CC}

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

# compiler_of DIR: the C compiler command DIR was configured with.
compiler_of()
{
	awk '/^rule c_COMPILER$/ { getline; print $3; exit }' "$1/build.ninja"
}

# build COMPILER DIR [MESON OPTION...]: configure DIR for COMPILER (again from
# scratch if it was configured for another one) and compile.
build()
{
	local cc=$1 dir=$2
	shift 2

	step "building in $dir with $cc $*"
	if [ -f "$dir/build.ninja" ] && [ "$(compiler_of "$dir")" = "$cc" ]; then
		meson configure "$dir" "$@"
	elif [ -f "$dir/build.ninja" ]; then
		CC=$cc meson setup --wipe "$dir" "$SRCDIR" "$@"
	else
		CC=$cc meson setup "$dir" "$SRCDIR" "$@"
	fi
	meson compile -C "$dir"
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
		build "$CC" "$BUILDDIR" -Dwerror=false
		step "running the demo lab"
		VXFWD=$BUILDDIR/engine/vxfwd "$SRCDIR/scripts/demo.sh"
		;;
	test)
		build "$CC" "$BUILDDIR" -Dwerror=true
		build "$OTHER_CC" "$OTHER_BUILDDIR" -Dwerror=true
		step "running every test suite"
		meson test -C "$BUILDDIR" --print-errorlogs
		;;
	esac
}

main "$@"
