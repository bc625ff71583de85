internal import CGit2
internal import CGitStartup
public import Foundation

/// libgit2 is initialised once per process, on first use, with the options ops relies on (and
/// the C library's, for the memory of a big run).
private let libraryInitialized: Bool = {
    git_libgit2_init()
    // Month folders of more than ~80 incidents make trees over libgit2's default 4 KiB
    // cacheable size; keep trees up to 1 MiB in the object cache so lookups stay cheap.
    _ = ops_git_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
    // Every object ops links into a tree was written or read by ops in the same call,
    // so re-checking that it exists on each write only costs time.
    _ = ops_git_enable_strict_object_creation(0)
    // A write reports success only once it is on disk, as Git's core.fsync does: libgit2 then
    // flushes each loose object and ref it writes (and their folders); the index and the
    // intent record are flushed by GitStore itself.
    _ = ops_git_enable_fsync_gitdir(1)
    // libgit2 maps a pack file in windows of 1 GiB by default, and unmaps none until it closes:
    // a run that reads every incident of a 100k repository and then walks its history kept
    // all 94 MB of the pack resident. Windows of 8 MiB, 32 MiB mapped in all, took 60 MB off
    // the peak of the first weekly pack there, at the same speed (4 MiB windows were slower:
    // the history walk mapped and unmapped).
    _ = ops_git_set_mwindow_size(8 << 20)
    _ = ops_git_set_mwindow_mapped_limit(32 << 20)
    ops_map_big_blocks()
    return true
}()

func ensureLibraryInitialized() {
    precondition(libraryInitialized)
}

/// libgit2 reads no CA certificates at start-up (CGitStartup, 3 ms saved in every command);
/// anything about to open an https connection calls this first. Later calls do nothing.
public enum TLSCertificates {
    public static let bundle = "/etc/ssl/certs/ca-certificates.crt"

    public static func load(_ file: String = ProcessInfo.processInfo.environment["SSL_CERT_FILE"] ?? bundle) throws {
        ensureLibraryInitialized()
        try check(ops_git_load_certificates(file))
    }

    /// For tests: how often libgit2 asked for a CA file, and how often one was parsed.
    public static var requests: Int { Int(ops_git_certificate_requests()) }
    public static var loads: Int { Int(ops_git_certificate_loads()) }
}
