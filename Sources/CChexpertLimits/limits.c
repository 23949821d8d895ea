/* Headers only: see include/chexpert_limits.h. */
