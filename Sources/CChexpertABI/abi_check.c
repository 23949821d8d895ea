/* Compiles the public header as C11 in every build, so a header that is not
 * valid C (or that needs another include) fails the build. */
#include "chexpert.h"
