/* Glibc facilities the Swift Glibc module does not import (they need
 * _GNU_SOURCE), and the process-wide state that must survive fork().
 * Internal to libchexpert: names are not chexpert_*, so the export list keeps
 * them local. */
#ifndef CSYSTEM_H
#define CSYSTEM_H

/** CPUs in the calling thread's affinity mask, or 0 if it cannot be read. */
int cxp_affinity_cpu_count(void);

/* ---- Fork safety (csystem.c) ---------------------------------------------
 *
 * Every critical section of the library (every `Lock.withLock`) runs between
 * cxp_fork_gate_enter() and cxp_fork_gate_leave(), which hold a process-wide
 * read-write lock, the gate, in read mode (once per thread: nested sections
 * do not take it again). A pthread_atfork prepare handler takes the gate in
 * write mode, so fork() happens while no thread is inside any critical
 * section: every library mutex is unlocked and every structure it protects
 * is consistent in the child. The parent handler releases the gate; the
 * child handler re-initialises it (the child has one thread). No list of
 * locks is needed: a mutex is only ever held inside the gate. */

/** Enters the calling thread's outermost critical section (read-locks the gate). */
void cxp_fork_gate_enter(void);

/** Leaves a critical section entered with cxp_fork_gate_enter(). */
void cxp_fork_gate_leave(void);

/** The pthread_key_t (an unsigned int in glibc) of the per-thread error
 *  message (value: a malloc'd string, freed by the key's destructor), created
 *  when the library is loaded, before any entry point can run. Writes 1 to
 *  *ok if the key exists, 0 if it could not be created (messages are then
 *  dropped). The header includes no system header: Swift modules that
 *  import it then carry no pthread types in their debug info. */
unsigned int cxp_error_key(int *ok);

#endif
