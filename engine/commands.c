// SPDX-License-Identifier: GPL-2.0-only
/*
 * commands.c - the command line as data: every subcommand's name, summary,
 * options and operands (struct opt_cmd, opts.h), in the order of
 * `vxfwd --help`.  opt_next() parses from these tables, opt_usage() and
 * `vxfwd CMD --help` print them, and man/vxfwd.8 documents them
 * (tests/packaging/synopsis.sh holds the two together).  Each command's
 * code, cmd_NAME.c, switches on the `ch` of its options.
 */
#include "cmd.h"
#include "config.h"
#include "instance.h"

/* -BbcpQrsw override the rules file's engine block one by one. */
static const struct opt run_opts[] = {
	{'B', "batch", "batch", "Ring records moved into the sender at once (1-1024, default 256)",
	 0},
	{'b', "backend", "backend",
	 "Send backend: uring-ring (default), write-fixed, send, sendmmsg, tx-ring", 0},
	{'c', "cpus", "cpus", "Pin worker i to the i-th CPU of a list like 0,2-3", 0},
	{'f', "file", "file", "Rules file (default " VXFWD_DEFAULT_RULES ")", 0},
	{'k', "keep-attached", NULL, "At exit, leave XDP and the leak guard attached", 0},
	{'n', "name", "name", "Name of the instance (default the rules file's base name)", 0},
	{'p', "busy-poll", "usec", "Poll the ring <usec> after a batch (0-10000, default 0)", 0},
	{'Q', "qdisc-bypass", NULL, "Send with PACKET_QDISC_BYPASS (tcpdump on egress sees nothing)",
	 0},
	{'r', "ring-size", "size", "Ring bytes per worker, a power of two, 64K-1G (default 4M)", 0},
	{'s', "sched", "policy", "Workers' scheduling: other (default), fifo:PRIO, rr:PRIO", 0},
	{'v', "verbose", NULL, "Log debugging messages; twice, libbpf's as well", 0},
	{'w', "workers", "workers", "Engine workers, one ring and thread each (1-16, default 1)", 0},
	{'x', "xdp-mode", "mode", "Attach XDP in mode auto (default), native or generic", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd run_cmd = {
	.name = "run",
	.summary = "Load the rules, attach the XDP program to the ingress interface and forward "
		   "mirror traffic until a signal (SIGHUP reloads, SIGTERM stops).",
	.opts = run_opts,
};

static const struct opt check_opts[] = {
	{'f', "file", "file", "Rules file; - reads standard input (default " VXFWD_DEFAULT_RULES ")", 0},
	{'j', "json", NULL, "Print the result and every diagnostic as one JSON object", 0},
	{'q', "quiet", NULL, "Print nothing on success; with -j, leave warnings out", 0},
	{'v', "verbose", NULL, "Print every map entry run would write", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd check_cmd = {
	.name = "check",
	.summary = "Parse, evaluate and compile a rules file as run does, and stop before the "
		   "kernel.",
	.opts = check_opts,
};

const struct opt_cmd reload_cmd = {
	.name = "reload",
	.summary = "Check the rules file of a running instance, have it load the file and wait "
		   "for its answer.",
	.opts = opt_instance_opts,
};

const struct opt_cmd detach_cmd = {
	.name = "detach",
	.summary = "Remove what a stopped instance left attached: its XDP program, the leak "
		   "guard, the pins and the state file.",
	.opts = opt_instance_opts,
};

static const struct opt stats_opts[] = {
	{'j', "json", NULL, "Print JSON", 1},
	{'p', "prometheus", NULL, "Print the Prometheus text format (node_exporter textfile)", 1},
	{'w', "watch", "seconds", "Redraw every <seconds> with rates until interrupted", 0},
	{'f', "file", "file", "Find the instance by its rules file", 2},
	{'n', "name", "name", "Name of the instance (default vxfwd)", 2},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd stats_cmd = {
	.name = "stats",
	.summary = "Print the counters of an instance: frames received, passed, forwarded and "
		   "dropped by reason, per rule and organization, and what the engine sent.",
	.opts = stats_opts,
};

static const struct opt status_opts[] = {
	{'j', "json", NULL, "Print a JSON array, one object per instance", 0},
	{'n', "name", "name", "Show only the instance <name> (default every running one)", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd status_cmd = {
	.name = "status",
	.summary = "Show each running instance: pid, XDP program and mode, ruleset, next hops, "
		   "workers and the leak guard.",
	.opts = status_opts,
};

static const struct opt explain_opts[] = {
	{'j', "json", NULL, "Print JSON", 0},
	{'f', "file", "file", "Explain with the rules of <file> (the default file without -n)", 1},
	{'n', "name", "name", "Explain with the live maps of the running instance <name>", 1},
	{'r', "read", "pcap", "Explain every frame of the capture <pcap>", 2},
	{0, NULL, NULL, NULL, 0},
};

static const struct opt explain_operands[] = {
	{0, NULL, "udp | tcp", "The inner protocol", 0},
	{0, NULL, "src[:sport]", "The inner source address and port (default port 40000)", 0},
	{0, NULL, "dst:dport", "The inner destination address and port", 0},
	{0, NULL, "vni N", "The VNI (default the smallest one the rules accept)", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd explain_cmd = {
	.name = "explain",
	.summary = "Say what the XDP program does with a packet: the rule that forwards it and "
		   "what it becomes, or why it is dropped.",
	.opts = explain_opts,
	.synopsis_args = "udp | tcp src[:sport] dst:dport [vni N]",
	.args_group = 2,
	.in_order = 1,
	.operands = explain_operands,
};

static const struct opt monitor_opts[] = {
	{'c', "count", "count", "Stop after <count> events", 0},
	OPT_INSTANCE_NAME(0),
	{'r', "rate", "rate", "At most <rate> events per second and CPU (default 100)", 0},
	{'s', "sample", "sample", "Consider one frame in <sample> (default every frame)", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd monitor_cmd = {
	.name = "monitor",
	.summary = "Print a line for mirror frames as the XDP program forwards or drops them, "
		   "sampled and rate-limited, until interrupted.",
	.opts = monitor_opts,
};

static const struct opt doctor_opts[] = {
	{'f', "file", "file", "Rules file to check the host for (default " VXFWD_DEFAULT_RULES ")",
	 0},
	{'j', "json", NULL, "Print the checks and the result as one JSON object", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd doctor_cmd = {
	.name = "doctor",
	.summary = "Probe the host for what a rules file needs and say what run will do and "
		   "what to change.",
	.opts = doctor_opts,
};

static const struct opt import_opts[] = {
	{'s', "set", "set", "Name of the set to print (default allowlist)", 0},
	{0, NULL, NULL, NULL, 0},
};

static const struct opt import_operands[] = {
	{0, NULL, "file", "The JSON allowlist (organizations, flat_ip_list); - reads standard input",
	 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd import_allowlist_cmd = {
	.name = "import-allowlist",
	.summary = "Print a JSON allowlist of the previous system as sets of the rules language.",
	.opts = import_opts,
	.synopsis_args = "file",
	.operands = import_operands,
};

static const struct opt version_opts[] = {
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd version_cmd = {
	.name = "version",
	.summary = "Print the versions of vxfwd, libbpf, liburing and the kernel "
		   "(vxfwd --version prints the same).",
	.opts = version_opts,
};
