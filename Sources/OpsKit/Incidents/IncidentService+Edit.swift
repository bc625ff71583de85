import Foundation

extension IncidentService {
    /// Saves what someone wrote in `ops incident edit`. When the text is refused, nothing is
    /// committed, but what they typed is never lost: it is kept in `.git/ops/unsaved-ID.md`
    /// and the error says where.
    public func saveEdit(_ id: String, text: String, force: Bool = false, author: Author) throws -> Outcome {
        do {
            return try replace(id, with: text, force: force, author: author)
        } catch let error as OpsError {
            let folder = workspace.gitDirectory + "/ops"
            let kept = folder + "/unsaved-\(id).md"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: kept, contents: Data(text.utf8)) else { throw error }
            throw OpsError(error.kind, error.detail + ". Nothing was saved; your edit is kept in \(kept)", at: error.location)
        }
    }
}
