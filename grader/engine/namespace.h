/*
 * namespace.h - the grader as pid 1 of a PID namespace and in a network
 * namespace of its own, where the system allows (namespace.c).
 */
#ifndef SERVERLAB_NAMESPACE_H
#define SERVERLAB_NAMESPACE_H

/* Enter both, where they can be had; only the process that grades
 * returns (the one outside relays signals and exits as it does). */
void namespaces_enter(void);
/* Why there is none, for --verbose; "" when there is. */
extern char no_pid_namespace[160], no_net_namespace[160];
/* unshare a user namespace and write its maps ("ID ID 1\n"): 0; -1 when
 * there is none to have; 1 when in one whose maps could not be written. */
int user_namespace_as(const char *uid_map, const char *gid_map);

#endif
