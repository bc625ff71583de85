import Foundation
import GitStore
import Testing

/// libgit2 parses no CA bundle when it starts (3 ms in every command); https needs it loaded.
@Suite struct TLSCertificateTests {
    /// The counters belong to the process, and any test that syncs over https loads the bundle
    /// in it; so the test runs in a process of its own, where nothing started libgit2 before it.
    @Test func noCertificateIsParsedAtStartUpAndLoadingParsesTheBundleOnce() async {
        await #expect(processExitsWith: .success) {
            #expect(TLSCertificates.requests == 0 && TLSCertificates.loads == 0, "libgit2 has not started in this process")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            _ = try GitRepository.create(at: folder)  // starts libgit2
            #expect(TLSCertificates.requests >= 1, "libgit2 asks for the CA bundle when it starts")
            #expect(TLSCertificates.loads == 0, "and nothing is parsed")
            try TLSCertificates.load()
            #expect(TLSCertificates.loads == 1)
            try TLSCertificates.load()
            #expect(TLSCertificates.loads == 1, "a second call does nothing")
        }
    }
}
