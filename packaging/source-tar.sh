#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# source-tar.sh - write this source tree as a tar stream, every path below
# PREFIX/, to standard output: the files git knows of (tracked, and untracked
# but not ignored, that exist now), or outside git the whole tree without
# build directories.  build-deb.sh and build-rpm.sh package the same files.
#
# usage: packaging/source-tar.sh PREFIX
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: ${0##*/} PREFIX" >&2; exit 2; }
prefix=$1
srcdir=$(cd "$(dirname "$0")/.." && pwd)

if git -C "$srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$srcdir" &&
		git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ]; then printf '%s\0' "$f"; fi
		done) |
		tar -C "$srcdir" --null -T - --transform "s|^|$prefix/|" -cf -
else
	tar -C "$srcdir" --exclude='./build*' --exclude=./.git \
		--transform "s|^\./|$prefix/|" -cf - .
fi
