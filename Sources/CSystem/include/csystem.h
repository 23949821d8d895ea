/* Glibc facilities the Swift Glibc module does not import (they need
 * _GNU_SOURCE). Internal to libchexpert: names are not chexpert_*, so the
 * export list keeps them local. */
#ifndef CSYSTEM_H
#define CSYSTEM_H

/** CPUs in the calling thread's affinity mask, or 0 if it cannot be read. */
int cxp_affinity_cpu_count(void);

#endif
