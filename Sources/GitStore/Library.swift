internal import CGit2

/// libgit2 is initialised once per process, on first use, with the options ops relies on.
private let libraryInitialized: Bool = {
    git_libgit2_init()
    // Month folders of more than ~80 incidents make trees over libgit2's default 4 KiB
    // cacheable size; keep trees up to 1 MiB in the object cache so lookups stay cheap.
    _ = ops_git_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
    // Every object ops links into a tree was written or read by ops in the same call,
    // so re-checking that it exists on each write only costs time.
    _ = ops_git_enable_strict_object_creation(0)
    return true
}()

func ensureLibraryInitialized() {
    precondition(libraryInitialized)
}
