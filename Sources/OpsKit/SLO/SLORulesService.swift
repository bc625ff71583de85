import Foundation

/// `ops slo rules`: the Prometheus rule file of the repository's catalog, printed or written.
/// The file is not committed: it is made from slo/catalog.yaml (committed) whenever it is
/// needed, so a committed copy could only fall behind the catalog.
public struct SLORulesService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// The rules of every event indicator with queries, or of one use case's.
    public func rules(useCase: String?) throws -> SLORules {
        let catalog = try SLOCatalog.load(from: workspace)
        let services = try workspace.config().services.map(\.name)
        return try SLORules.make(catalog: catalog, useCase: useCase, services: services, runbooks: try RunbookService(workspace).list())
    }

    /// Writes `rules` to `path` whole or not at all (temp file beside it, then rename).
    public func write(_ rules: SLORules, to path: String) throws {
        var isFolder: ObjCBool = false
        let folder = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw OpsError.input("cannot write \(path): the folder \(folder) does not exist. Create it or choose another --out")
        }
        guard AtomicFile.write(rules.text, to: path) else {
            throw OpsError.input("cannot write \(path): \(String(cString: strerror(errno))). Choose another --out")
        }
    }
}
