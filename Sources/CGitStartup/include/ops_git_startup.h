#ifndef OPS_GIT_STARTUP_H
#define OPS_GIT_STARTUP_H

/// Loads the CA bundle libgit2 skipped at start-up (see ops_git_startup.c). Call it before
/// the first https connection; later calls do nothing. Returns libgit2's result (0 on success).
int ops_git_load_certificates(const char *file);

/// How many times libgit2 asked for a CA file, and how many of those were parsed: for tests.
int ops_git_certificate_requests(void);
int ops_git_certificate_loads(void);

/// Has glibc map blocks of 128 KiB and more and give them back when freed (mallopt
/// M_MMAP_THRESHOLD); elsewhere does nothing. See ops_git_startup.c.
void ops_map_big_blocks(void);

#endif
