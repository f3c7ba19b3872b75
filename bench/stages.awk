# SPDX-License-Identifier: GPL-2.0-only
#
# bench/stages.awk - sort `perf script -F ip,sym` stacks of the daemon into
# the stages of its send path; prints the share of samples of each.
BEGIN {
	RS = ""
}

{
	total++
	if ($0 ~ /veth_poll/)
		k = "far side: veth_poll of the collector, run in the sender's context"
	else if ($0 ~ /packet_sendmsg/)
		k = "AF_PACKET send: packet_sendmsg, skb alloc, copy, veth_xmit"
	else if ($0 ~ /exc_page_fault/)
		k = "page faults"
	else if ($0 ~ /io_submit_sqes|io_uring_enter/)
		k = "io_uring submission, outside the socket"
	else if ($0 ~ /io_uring|io_cqring/)
		k = "io_uring, other"
	else if ($0 ~ /epoll_wait|schedule/)
		k = "epoll_wait, scheduling"
	else if ($0 ~ /\[unknown\]|memmove|memcpy|ring_next/)
		k = "user space: ring copy, loop"
	else
		k = "other"
	n[k]++
}

END {
	for (k in n)
		printf "%5.1f%%  %s\n", 100 * n[k] / total, k | "sort -rn"
	close("sort -rn")
	printf "%d samples\n", total
}
