import Foundation

extension ErrorBudgetPolicy {
    /// `ops lint` for `policies/`: a policy file (`policies/<use_case>.yaml`) is checked in full,
    /// with the warning for a bare `error_budget` number; files in subfolders (release
    /// exceptions) only need to parse.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        guard path.split(separator: "/").count == 2 else { return SLOFiles.parses(path, text) }
        return problems(in: text, path: path, config: config)
    }
}

extension SLOCatalog {
    /// `ops lint` for `slo/`: the catalog, the snapshot week files and the records of what was
    /// announced (`slo/announced/`), which ops writes.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        if path == SLOCatalog.path { return problems(in: text, config: config) }
        do {
            if path.hasPrefix(SnapshotLayout.eventsFolder + "/") {
                let snapshot = try EventSnapshot.parse(text, path: path)
                return SLOFiles.placement(path, expected: snapshot.path)
            }
            if path.hasPrefix(SnapshotLayout.signalsFolder + "/") {
                let snapshot = try SignalSnapshot.parse(text, path: path)
                return SLOFiles.placement(path, expected: snapshot.path)
            }
            if path.hasPrefix(AnnouncedRecord.folder + "/") {
                // A record that does not read would stop the next import that announces.
                _ = try AnnouncedRecord(path: path, text: text, header: "")
                return []
            }
            return SLOFiles.parses(path, text)
        } catch {
            return [Problem(error)]
        }
    }
}

private enum SLOFiles {
    static func parses(_ path: String, _ text: String) -> [Problem] {
        do {
            _ = try YAMLText(text, path: path)
            return []
        } catch {
            return [Problem(error)]
        }
    }

    /// A week file moved or renamed by hand would be read for the wrong use case or week.
    static func placement(_ path: String, expected: String) -> [Problem] {
        path == expected ? [] : [Problem(Location(path: path, line: 1), "its use case, indicator and week say it belongs at \(expected). Move it there")]
    }
}
