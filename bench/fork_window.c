/* bench/fork_window.c: an LD_PRELOAD for bench/soak.py that widens glibc's
 * pthread_create/fork window (bench/SOAK.md, "The worker deaths").
 *
 *   cc -O2 -shared -fPIC bench/fork_window.c -o /tmp/fork_window.so -ldl
 *   LD_PRELOAD=/tmp/fork_window.so [FORK_WINDOW_US=300] .venv/bin/python bench/soak.py --minutes 4
 *
 * glibc's pthread_create, reusing a cached stack, frees the stack's stale
 * thread-local blocks after releasing its stack-cache lock; a fork() then
 * leaves the child to free them again. Here every free() of a non-NULL block
 * called from pthread_create itself (that loop) sleeps FORK_WINDOW_US
 * microseconds after freeing, in the process that loaded this first (not in
 * its forked children). A library that starts threads while a fork can run
 * then loses DataLoader workers within minutes; one that starts them under a
 * lock its atfork handler takes makes the fork wait instead. Diagnosis only:
 * Tests/c/test_fork_threads.c does the same in the test suite.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

extern void __libc_free(void *);

static uintptr_t create_start, create_end;  /* pthread_create's code in libc */
static pid_t first_process;
static unsigned window_us = 300;

void free(void *block) {
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    __libc_free(block);
    if (block != NULL && caller >= create_start && caller < create_end && getpid() == first_process)
        usleep(window_us);
}

__attribute__((constructor)) static void fork_window_init(void) {
    first_process = getpid();
    const char *text = getenv("FORK_WINDOW_US");
    if (text != NULL) window_us = (unsigned)atoi(text);
    void *address = dlsym(RTLD_NEXT, "pthread_create");
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (address != NULL && dladdr1(address, &info, (void **)&symbol, RTLD_DL_SYMENT) != 0 && symbol != NULL) {
        create_start = (uintptr_t)address;
        create_end = create_start + symbol->st_size;
    }
}
