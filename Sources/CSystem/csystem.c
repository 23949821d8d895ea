/* CSystem: the glibc facilities of csystem.h, in ONE translation unit on
 * purpose: valgrind 3.19 (Debian 12) gives up on the library ("Possibly
 * corrupted debuginfo file") when it holds two C units with functions built
 * by the toolchain's clang (DWARF 5), which fails Tests/c/run.sh's memcheck.
 *
 * CPU affinity needs _GNU_SOURCE (not in the Swift Glibc module).
 *
 * Fork safety of libchexpert (see csystem.h).
 *
 * Process-wide state of the library and how it survives fork():
 * - every Lock (the handle registry's, each parameter set's, each dataset's
 *   settings lock, each batch's position queue): only held inside the gate,
 *   so never held at fork (the prepare handler owns the gate exclusively);
 * - the gate itself: write-locked by the forking thread across fork, released
 *   in the parent, re-initialised in the child;
 * - Swift lazy globals (swift_once holds a futex while an initialiser runs;
 *   a fork during it would leave the child waiting forever): the prepare
 *   handler first calls cxp_abi_fork_prepare() (ChexpertABI), which touches
 *   each of them, so none is being initialised when fork() runs;
 * - the per-thread error message key: created here at load time, not lazily;
 *   in the child only the forking thread's message exists, as in the parent.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "csystem.h"

int cxp_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}

/* Writer-preferring: a waiting fork blocks new critical sections, so a
 * stream of short sections on other threads cannot starve it. Nested
 * sections on one thread never re-take the gate (gate_depth), which is what
 * makes the non-recursive kind deadlock-free. */
static pthread_rwlock_t gate = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static __thread unsigned long gate_depth;

static pthread_key_t error_key;
static int error_key_created;

/* Defined in ChexpertABI (Boundary/ForkSafety.swift); absent (NULL) in
 * programs that link the core without the ABI, such as chexpert-sample. */
extern void cxp_abi_fork_prepare(void) __attribute__((weak));

void cxp_fork_gate_enter(void) {
    if (gate_depth++ == 0) pthread_rwlock_rdlock(&gate);
}

void cxp_fork_gate_leave(void) {
    if (--gate_depth == 0) pthread_rwlock_unlock(&gate);
}

_Static_assert(sizeof(pthread_key_t) == sizeof(unsigned int), "pthread_key_t is an unsigned int in glibc");

unsigned int cxp_error_key(int *ok) {
    if (ok) *ok = error_key_created;
    return error_key;
}

static void fork_prepare(void) {
    if (cxp_abi_fork_prepare) cxp_abi_fork_prepare();
    pthread_rwlock_wrlock(&gate);
}

static void fork_parent(void) {
    pthread_rwlock_unlock(&gate);
}

static void fork_child(void) {
    /* The child's only thread is the forking one, which held the gate for
     * writing; glibc's unlock would compare the writer's thread id, which
     * changed with fork, so start from a fresh gate instead. */
    static const pthread_rwlock_t fresh = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    memcpy(&gate, &fresh, sizeof gate);
    gate_depth = 0;
}

__attribute__((constructor)) static void cxp_process_init(void) {
    error_key_created = pthread_key_create(&error_key, free) == 0;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}
