// Debian's libgit2 1.5 (built with mbedTLS) parses the whole system CA bundle inside
// git_libgit2_init: about 3 ms, a tenth of `ops incident open`, in every process, though only
// an https remote ever needs it. This file defines mbedtls_x509_crt_parse_file in the
// executable, so the dynamic linker hands libgit2 this definition instead of mbedTLS's: until
// ops_git_load_certificates() is called it parses nothing; after, it forwards to the real one.
// Only the https transport uses the chain, and sync calls ops_git_load_certificates() first.
#define _GNU_SOURCE
#include <dlfcn.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <git2.h>
#include <stdatomic.h>
#include "ops_git_startup.h"

static atomic_int wanted = 0;
static atomic_int requests = 0;
static atomic_int loads = 0;

typedef int (*parse_file_fn)(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    atomic_fetch_add(&requests, 1);
    if (!atomic_load(&wanted)) return 0;
    parse_file_fn real = (parse_file_fn)dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
    if (real == NULL) return -1;
    atomic_fetch_add(&loads, 1);
    return real(chain, path);
}

int ops_git_load_certificates(const char *file) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&wanted, &expected, 1)) return 0;
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
}

int ops_git_certificate_requests(void) { return atomic_load(&requests); }
int ops_git_certificate_loads(void) { return atomic_load(&loads); }

// glibc serves big blocks from its heaps and raises its bar for mapping them as a run goes, so
// the buffers of a big first run (every incident of a 100k repository read, then all of its
// history walked) stay resident once freed. With a fixed bar of 128 KiB they are mapped and
// given back: the first weekly pack at 100k incidents peaks 8 MB lower, and the warm one takes
// about 4 % longer.
void ops_map_big_blocks(void) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 128 << 10);
#endif
}
