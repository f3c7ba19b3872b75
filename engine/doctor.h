/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * doctor.h - the host checks of `vxfwd doctor`, run by `vxfwd run` before
 * it attaches.
 */
#ifndef VXFWD_DOCTOR_H
#define VXFWD_DOCTOR_H

struct vxfwd_ruleset;

/*
 * Run the checks that matter before attaching (kernel, privileges, bpffs,
 * memlock, the two interfaces, MTU, subnet, rp_filter, next hops) on the
 * loaded ruleset `rs` of `rules_file`.  Changes nothing on the host and
 * loads no program.  Each problem is one log_warnx() line
 * "doctor: subject: finding; fix"; findings that are not problems but
 * explain behaviour are log_info() lines.  Returns the number of
 * warnings; never fails.
 */
int doctor_preflight(const char *rules_file, const struct vxfwd_ruleset *rs);

#endif /* VXFWD_DOCTOR_H */
