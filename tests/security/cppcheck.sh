#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# cppcheck over engine/, dsl/ and conf/: every finding fails the test.  No
# suppression list; a finding is fixed, or annotated on its line with
# `// cppcheck-suppress ID` and a reason (--inline-suppr).
#
# usage: cppcheck.sh SRCROOT BUILDDIR
set -eu
src=$1
build=$2
command -v cppcheck >/dev/null ||
	{ echo "FAIL: cppcheck not installed (scripts/install-deps.sh installs it)"; exit 1; }

# libbpf's LIBBPF_OPTS() is spelled out so that cppcheck parses the
# functions using it instead of stopping at an unknown macro.
cppcheck -q --std=c11 --error-exitcode=1 --inline-suppr \
	--enable=warning,portability,performance \
	-D__linux__ \
	'-DLIBBPF_OPTS(TYPE,NAME,...)=struct TYPE NAME = {.sz = sizeof(struct TYPE), __VA_ARGS__}' \
	-I "$build" -I "$src/bpf" -I "$build/bpf" -I "$src/engine" -I "$src/dsl" -I "$build/dsl" \
	-I "$src/conf" "$src"/engine/*.c "$src"/dsl/*.c "$src"/conf/*.c
echo "cppcheck: engine/, dsl/ and conf/ clean"
