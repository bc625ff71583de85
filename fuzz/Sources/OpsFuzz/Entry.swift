import Foundation

/// The libFuzzer entry points. One binary holds every target; `FUZZ_TARGET` names the one a
/// run exercises (fuzz/run sets it, with the target's corpus folder).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = FuzzTarget.selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    FuzzTarget.selected.run(data)
    return 0
}

/// A fuzz target: a name (its corpus is fuzz/corpus/<name>/) and what it does with one input.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (Data) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "alertmanager", run: Targets.alertmanager),
        FuzzTarget(name: "prometheus", run: Targets.prometheus),
        FuzzTarget(name: "csv-events", run: Targets.csv),
        FuzzTarget(name: "csv-signals", run: Targets.csv),
        FuzzTarget(name: "openslo", run: Targets.openSLO),
        FuzzTarget(name: "policy", run: Targets.policy),
        FuzzTarget(name: "config", run: Targets.config),
        FuzzTarget(name: "catalog", run: Targets.catalog),
        FuzzTarget(name: "checks", run: Targets.checks),
        FuzzTarget(name: "dataset-csv", run: { Targets.dataset($0, file: "fuzz-input.csv") }),
        FuzzTarget(name: "dataset-jsonl", run: { Targets.dataset($0, file: "fuzz-input.jsonl") }),
        FuzzTarget(name: "front-matter", run: Targets.frontMatter),
        FuzzTarget(name: "yaml-edit", run: Targets.yamlEdit),
        FuzzTarget(name: "timeline", run: Targets.timeline),
        FuzzTarget(name: "import-pagerduty", run: { Targets.importer(.pagerduty, $0) }),
        FuzzTarget(name: "import-incidentio", run: { Targets.importer(.incidentio, $0) }),
        FuzzTarget(name: "import-firehydrant", run: { Targets.importer(.firehydrant, $0) }),
        FuzzTarget(name: "import-rootly", run: { Targets.importer(.rootly, $0) }),
        FuzzTarget(name: "import-dispatch", run: { Targets.importer(.dispatch, $0) }),
        FuzzTarget(name: "time", run: Targets.time),
        FuzzTarget(name: "git-index", run: Targets.gitIndex),
        FuzzTarget(name: "incident-cache", run: Targets.incidentCache),
    ]

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = all.first(where: { $0.name == name }) else {
            FileHandle.standardError.write(Data("FUZZ_TARGET must be one of: \(all.map(\.name).joined(separator: " "))\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// A property a target checks failed: report it and abort, so libFuzzer keeps the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    FileHandle.standardError.write(Data("property failed: \(message())\n".utf8))
    abort()
}
