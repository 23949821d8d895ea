/*
 * threads.h: the calling process's thread count, for the C tests of the
 * worker pool (/proc/self/task). Include after check.h.
 */
#ifndef CHEXPERT_TESTS_THREADS_H
#define CHEXPERT_TESTS_THREADS_H

#include <dirent.h>
#include <unistd.h>

/* Threads of this process (entries of /proc/self/task), -1 if unreadable. */
static int thread_count(void) {
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) count += entry->d_name[0] != '.';
    closedir(dir);
    return count;
}

/* Threads may take a moment to leave /proc after being joined (the kernel
 * reaps them right after): waits up to a second for `expected`. */
static int settled_thread_count(int expected) {
    int count = thread_count();
    for (int i = 0; i < 100 && count != expected; i++) {
        usleep(10000);
        count = thread_count();
    }
    return count;
}

#endif /* CHEXPERT_TESTS_THREADS_H */
