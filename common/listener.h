/*
 * listener.h - the server side of the contract's command line, for the
 * labs that have written it once already (labs 1 and 2 write it by hand).
 *
 * Unlike net.h, this one prints and exits: a server that cannot listen
 * has nothing else to do, and the contract fixes how it must say so.
 */
#ifndef SERVERLAB_LISTENER_H
#define SERVERLAB_LISTENER_H

#define LISTENER_USAGE \
	"usage: server ADDRESS:PORT (e.g. 127.0.0.1:7000 or [::1]:0)"

/*
 * The listening socket for argv[1] (net_listen with flags), announced on
 * stdout with its real port. A wrong command line prints the reason and
 * the usage on stderr and exits 2; an address the system refuses prints
 * the reason (naming the address) and exits 1.
 */
int listener_open(int argc, char *argv[], int flags);

#endif
