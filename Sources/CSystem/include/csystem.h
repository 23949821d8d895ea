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

/* ---- Worker pool (csystem.c) ---------------------------------------------
 *
 * One process-wide pool of pthreads that runs the shares of batch calls.
 * Threads are started lazily by cxp_pool_run(), up to the largest number of
 * helpers any call asked for (at most CXP_POOL_MAX_HELPERS), and all end
 * (joined) as soon as no dataset handle is open and no cxp_pool_run() is in
 * progress: no thread outlives the last handle. The pool allocates nothing
 * (its thread table is static). A child of fork() starts with an empty pool
 * (no threads, no jobs; the open handle count is inherited with the handles).
 * At exit or dlclose a destructor ends the idle threads; threads busy with a
 * call still running are not waited for (exit never hangs on them). */

/** Largest number of helper threads (CHEXPERT_MAX_THREADS - 1). */
#define CXP_POOL_MAX_HELPERS 1023

/** Runs run(context, 0) on the calling thread and run(context, s) for
 *  s = 1 ... helpers on pool threads, each share at most once, and returns
 *  when every share that started has returned. A share not started by a pool
 *  thread when the caller's own share returns is never started: `run` must
 *  hand out its work from a shared queue, so the shares that do run finish it
 *  (with no pool thread at all, the caller's share does everything). Pool
 *  threads that finish early move on to other calls' shares at once.
 *  `create_fault`: NULL, or a test hook called before each thread creation;
 *  nonzero makes that creation fail (fault-injection builds only). */
void cxp_pool_run(int helpers, void (*run)(void *context, int share), void *context,
                  int (*create_fault)(void));

/** A task: one run(context) queued on the pool, waited for by
 *  cxp_task_wait() (chexpert_job). */
typedef struct cxp_task cxp_task;

/** Bytes of a cxp_task (the caller allocates them: checked allocation). */
unsigned long cxp_task_size(void);

/** Makes `memory` (cxp_task_size() bytes, aligned for a pointer) a task that
 *  runs run(context), queues it on the pool, growing the pool to `threads`
 *  threads, and returns it at once. Tasks and the shares of cxp_pool_run()
 *  calls are taken in the order they were queued, except that a call made
 *  on a pool thread (by a task) goes first. The task keeps the pool alive
 *  (as a call in progress) until it is waited for. */
cxp_task *cxp_task_submit(void *memory, int threads, void (*run)(void *context), void *context,
                          int (*create_fault)(void));

/** 1 if `task` has finished running (cxp_task_wait() would not block). */
int cxp_task_done(cxp_task *task);

/** Waits for `task` (call once). A task no pool thread has taken runs on
 *  the calling thread; in a fork child, a task taken by a parent thread and
 *  not finished before the fork runs again, from the start, on the calling
 *  thread. Returns when run() has returned (in this process). */
void cxp_task_wait(cxp_task *task);

/** Ends a task that was waited for; its memory may then be freed. */
void cxp_task_destroy(cxp_task *task);

/** A dataset handle was opened (the pool may keep threads while any is). */
void cxp_pool_handle_opened(void);

/** A dataset handle was closed; the last one ends the pool's threads unless
 *  a call is in progress (then the last call to return ends them). */
void cxp_pool_handle_closed(void);

/** Atomically (relaxed) adds `delta` to `*counter` (a caller's int64_t
 *  progress counter, polled by another thread). */
void cxp_atomic_add_i64(long long *counter, long long delta);

/** Atomically (relaxed) stores `value` into `*counter`. */
void cxp_atomic_store_i64(long long *counter, long long value);

#endif
