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
 *   in the child only the forking thread's message exists, as in the parent;
 * - the worker pool (below): its mutex is taken by the prepare handler after
 *   the gate (pool code never enters the gate while holding it), so the pool
 *   is consistent at fork; the parent's pool goes on; the child's is reset to
 *   empty (its threads do not exist there) and grows again on its first call.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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


/* ---- Worker pool (see csystem.h) -----------------------------------------
 *
 * A job is one cxp_pool_run() call, on its caller's stack. While it offers
 * shares not yet taken it is linked in the queue; an idle pool thread takes
 * the first job's next share, runs it without the mutex, then counts it
 * finished and takes the next share of whatever job is first, so a thread
 * done with one call's work starts on the next call's while other threads
 * still finish the first (no barrier between calls). The caller runs share 0
 * itself; when it returns, the job's work has all been handed out (the
 * shares draw from one queue), so the caller unlinks the job (no more shares
 * start) and waits only for the shares already running.
 *
 * Lifetime: threads carry the generation they were started in and end when
 * it changes. The generation changes when the pool stops (no open dataset
 * handle and no call in progress: every thread is idle, so the stopping
 * thread joins them at once), at exit or dlclose (the destructor), and in a
 * fork child. */

typedef struct cxp_job {
    void (*run)(void *context, int share);
    void (*task_run)(void *context);  /* a task (cxp_task_submit): its one share */
    void *context;
    int helpers;            /* shares offered to pool threads: 1 ... helpers */
    int joined;             /* shares taken by pool threads */
    int finished;           /* of those, returned */
    int waiting;            /* the caller waits on `done` */
    unsigned long taken_in; /* a task: pool_forks when a pool thread took it */
    struct cxp_job *next;   /* queue link */
    pthread_cond_t done;
} cxp_job;

/* A task is a one-share job on the heap, owned by its waiter. */
struct cxp_task {
    cxp_job job;
    unsigned long submitted_in;  /* pool_forks at submission */
};

static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_t pool_threads[CXP_POOL_MAX_HELPERS];
static int pool_size;                   /* threads of the current generation */
static int pool_idle;                   /* of those, waiting on pool_wake */
static unsigned long pool_generation;
static cxp_job *pool_head, *pool_tail;  /* jobs with shares not yet taken */
static long pool_handles;               /* open dataset handles */
static long pool_calls;                 /* cxp_pool_run() calls using the pool, tasks not waited for */
static unsigned long pool_forks;        /* fork() children this process descends from */
static __thread int pool_thread;        /* the calling thread is a pool thread */

/* Unlinks `job` if it is queued. Mutex held. */
static void pool_unlink(cxp_job *job) {
    cxp_job *previous = NULL;
    for (cxp_job *j = pool_head; j; previous = j, j = j->next) {
        if (j != job) continue;
        if (previous) previous->next = j->next; else pool_head = j->next;
        if (pool_tail == j) pool_tail = previous;
        j->next = NULL;
        return;
    }
}

static void *pool_main(void *arg) {
    const unsigned long generation = (unsigned long)(uintptr_t)arg;
    pool_thread = 1;
    pthread_mutex_lock(&pool_mutex);
    for (;;) {
        while (generation == pool_generation && !pool_head) {
            pool_idle++;
            pthread_cond_wait(&pool_wake, &pool_mutex);
            pool_idle--;
        }
        if (generation != pool_generation) break;
        cxp_job *job = pool_head;
        int share = ++job->joined;
        if (job->joined == job->helpers) pool_unlink(job);
        job->taken_in = pool_forks;
        pthread_mutex_unlock(&pool_mutex);
        if (job->task_run) job->task_run(job->context); else job->run(job->context, share);
        pthread_mutex_lock(&pool_mutex);
        /* The last access to `job`: once the count is seen the caller may return. */
        if (++job->finished == job->joined && job->waiting) pthread_cond_signal(&job->done);
    }
    pthread_mutex_unlock(&pool_mutex);
    return NULL;
}

/* Starts threads until the pool holds `helpers` (a failure leaves it
 * smaller: the calls' own threads do the work). Threads start with every
 * signal blocked: signals go to the program's threads. Mutex held. */
static void pool_grow(int helpers, int (*create_fault)(void)) {
    sigset_t all, old;
    int masked = 0;
    while (pool_size < helpers) {
        if (create_fault && create_fault()) break;
        if (!masked) {
            sigfillset(&all);
            masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
        }
        if (pthread_create(&pool_threads[pool_size], NULL, pool_main, (void *)(uintptr_t)pool_generation) != 0) break;
        pool_size++;
    }
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Ends the current generation's threads: joined if `join` (then they must
 * all be idle or about to be, which the callers ensure), else detached.
 * pool_stop_mutex serialises stops, so the retired table is not copied over
 * while another stop joins from it (no allocation). Mutex held on entry
 * (pool_stop_mutex taken first), both released. */
static pthread_mutex_t pool_stop_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_t pool_retired[CXP_POOL_MAX_HELPERS];

static void pool_stop_and_unlock(int join) {
    int count = pool_size;
    memcpy(pool_retired, pool_threads, sizeof(pthread_t) * (size_t)count);
    pool_size = 0;
    pool_generation++;
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_mutex);
    for (int i = 0; i < count; i++) {
        if (join) pthread_join(pool_retired[i], NULL); else pthread_detach(pool_retired[i]);
    }
    pthread_mutex_unlock(&pool_stop_mutex);
}

/* Stops the pool if no handle is open and no call is in progress. */
static void pool_release(void) {
    pthread_mutex_lock(&pool_stop_mutex);
    pthread_mutex_lock(&pool_mutex);
    if (pool_handles > 0 || pool_calls > 0 || pool_size == 0) {
        pthread_mutex_unlock(&pool_mutex);
        pthread_mutex_unlock(&pool_stop_mutex);
        return;
    }
    pool_stop_and_unlock(1);
}

void cxp_pool_run(int helpers, void (*run)(void *context, int share), void *context,
                  int (*create_fault)(void)) {
    if (helpers > CXP_POOL_MAX_HELPERS) helpers = CXP_POOL_MAX_HELPERS;
    if (helpers <= 0) {
        run(context, 0);
        return;
    }
    cxp_job job;
    memset(&job, 0, sizeof job);
    job.run = run;
    job.context = context;
    job.helpers = helpers;
    pthread_cond_init(&job.done, NULL);  /* glibc: cannot fail */
    pthread_mutex_lock(&pool_mutex);
    pool_calls++;
    pool_grow(helpers, create_fault);
    if (pool_size > 0) {
        /* A call made by a task (on a pool thread) goes first: threads help
         * the batches already running before they start queued ones. */
        if (pool_thread && pool_head) {
            job.next = pool_head;
            pool_head = &job;
        } else {
            if (pool_tail) pool_tail->next = &job; else pool_head = &job;
            pool_tail = &job;
        }
        int wake = helpers < pool_idle ? helpers : pool_idle;
        for (int i = 0; i < wake; i++) pthread_cond_signal(&pool_wake);
    }
    pthread_mutex_unlock(&pool_mutex);

    run(context, 0);

    pthread_mutex_lock(&pool_mutex);
    pool_unlink(&job);
    job.waiting = 1;
    while (job.finished < job.joined) pthread_cond_wait(&job.done, &pool_mutex);
    pool_calls--;
    int idle_pool = pool_calls == 0 && pool_handles == 0 && pool_size > 0;
    pthread_mutex_unlock(&pool_mutex);
    pthread_cond_destroy(&job.done);
    if (idle_pool) pool_release();
}

unsigned long cxp_task_size(void) { return sizeof(cxp_task); }

cxp_task *cxp_task_submit(void *memory, int threads, void (*run)(void *context), void *context,
                          int (*create_fault)(void)) {
    cxp_task *task = memory;
    memset(task, 0, sizeof *task);
    task->job.task_run = run;
    task->job.context = context;
    task->job.helpers = 1;
    pthread_cond_init(&task->job.done, NULL);  /* glibc: cannot fail */
    if (threads > CXP_POOL_MAX_HELPERS) threads = CXP_POOL_MAX_HELPERS;
    pthread_mutex_lock(&pool_mutex);
    task->submitted_in = pool_forks;
    pool_calls++;
    pool_grow(threads, create_fault);
    if (pool_size > 0) {  /* else the waiter runs it */
        if (pool_tail) pool_tail->next = &task->job; else pool_head = &task->job;
        pool_tail = &task->job;
        if (pool_idle > 0) pthread_cond_signal(&pool_wake);
    }
    pthread_mutex_unlock(&pool_mutex);
    return task;
}

/* Whether no thread of this process runs or will run `job` (a task): not
 * taken, or taken by a thread of the parent process before a fork and not
 * finished then. Mutex held. */
static int task_orphaned(const cxp_job *job) {
    return job->joined == 0 || (job->finished == 0 && job->taken_in != pool_forks);
}

int cxp_task_done(cxp_task *task) {
    pthread_mutex_lock(&pool_mutex);
    int done = task->job.finished > 0 && task->job.joined > 0;
    pthread_mutex_unlock(&pool_mutex);
    return done;
}

void cxp_task_wait(cxp_task *task) {
    cxp_job *job = &task->job;
    pthread_mutex_lock(&pool_mutex);
    if (task_orphaned(job)) {
        pool_unlink(job);
        job->joined = 1;
        job->finished = 0;
        job->taken_in = pool_forks;
        pthread_mutex_unlock(&pool_mutex);
        job->task_run(job->context);
        pthread_mutex_lock(&pool_mutex);
        job->finished = 1;
    } else {
        job->waiting = 1;
        while (job->finished < job->joined) pthread_cond_wait(&job->done, &pool_mutex);
    }
    /* A fork child's pool_calls started at 0: it never counted this task. */
    if (task->submitted_in == pool_forks) pool_calls--;
    int idle_pool = pool_calls == 0 && pool_handles == 0 && pool_size > 0;
    pthread_mutex_unlock(&pool_mutex);
    if (idle_pool) pool_release();
}

void cxp_task_destroy(cxp_task *task) {
    /* In a fork child a parent thread may have been waiting on `done`: that
     * copy cannot be destroyed (glibc would wait for the waiter). */
    pthread_mutex_lock(&pool_mutex);
    const int here = task->submitted_in == pool_forks;
    pthread_mutex_unlock(&pool_mutex);
    if (here) pthread_cond_destroy(&task->job.done);
}

void cxp_pool_handle_opened(void) {
    pthread_mutex_lock(&pool_mutex);
    pool_handles++;
    pthread_mutex_unlock(&pool_mutex);
}

void cxp_pool_handle_closed(void) {
    pthread_mutex_lock(&pool_mutex);
    if (pool_handles > 0) pool_handles--;
    pthread_mutex_unlock(&pool_mutex);
    pool_release();
}

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
    pthread_mutex_lock(&pool_mutex);
}

static void fork_parent(void) {
    pthread_mutex_unlock(&pool_mutex);
    pthread_rwlock_unlock(&gate);
}

static void fork_child(void) {
    /* The child's only thread is the forking one, which held the gate for
     * writing; glibc's unlock would compare the writer's thread id, which
     * changed with fork, so start from a fresh gate instead. */
    static const pthread_rwlock_t fresh = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    memcpy(&gate, &fresh, sizeof gate);
    gate_depth = 0;
    /* The pool: its threads and their jobs' callers are the parent's (not
     * here); the open handles are inherited. Start empty. */
    static const pthread_mutex_t fresh_mutex = PTHREAD_MUTEX_INITIALIZER;
    static const pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
    memcpy(&pool_mutex, &fresh_mutex, sizeof pool_mutex);
    memcpy(&pool_stop_mutex, &fresh_mutex, sizeof pool_stop_mutex);
    memcpy(&pool_wake, &fresh_cond, sizeof pool_wake);
    pool_size = 0;
    pool_idle = 0;
    pool_generation++;
    pool_head = pool_tail = NULL;
    pool_calls = 0;
    pool_forks++;
}

/* At exit() and dlclose(): ends the pool's threads, so none runs the
 * library's code while it is unloaded. Idle threads are joined (at once);
 * if calls are still in progress (other threads inside batch calls at
 * exit), the threads are detached instead of waited for: exit never hangs,
 * and _exit ends them. */
__attribute__((destructor)) static void cxp_process_fini(void) {
    pthread_mutex_lock(&pool_stop_mutex);
    pthread_mutex_lock(&pool_mutex);
    pool_stop_and_unlock(pool_calls == 0);
}

__attribute__((constructor)) static void cxp_process_init(void) {
    error_key_created = pthread_key_create(&error_key, free) == 0;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void cxp_atomic_add_i64(long long *counter, long long delta) {
    __atomic_fetch_add(counter, delta, __ATOMIC_RELAXED);
}

void cxp_atomic_store_i64(long long *counter, long long value) {
    __atomic_store_n(counter, value, __ATOMIC_RELAXED);
}
