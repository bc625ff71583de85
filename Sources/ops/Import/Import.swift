import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import incident history from \(ImportTool.names).",
            discussion: """
                Each incident becomes an ordinary ops incident with its clock points in UTC,
                severity mapped through ops.yaml, and its timeline. `source:` keeps the
                tool and its ID, so importing again changes only what changed. One run is
                one commit; --dry-run shows what would change.
                  ops import pagerduty incidents.json log_entries.json --dry-run
                  ops import firehydrant incidents.jsonl
                """,
            // One per ImportTool, in its order (ArgumentParser needs a type for each).
            subcommands: [PagerDuty.self, IncidentIO.self, FireHydrant.self, Rootly.self, Dispatch.self]
        )
    }
}

/// What every `ops import <tool>` takes.
struct ImportOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Export files: JSON, JSON lines, or Dispatch's pg_dump; - for standard input.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print what would change; write nothing.")
    var dryRun = false

    @Option(
        name: .customLong("clock"),
        help: ArgumentHelp(
            "Map an organisation's timestamp or milestone name to a clock point: 'Impact began=started'. Repeatable.",
            valueName: "name=point"))
    var clockNames: [String] = []
}

/// `ops import <tool>`: reads the files, imports, prints the IDs written (or, dry, the plan) on
/// standard output and the summary on standard error.
protocol ImportCommand: OpsCommand {
    static var tool: ImportTool { get }
    var options: ImportOptions { get }
    var writer: WriterOptions { get }
}

extension ImportCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: tool.rawValue,
            abstract: "Import incidents exported from \(tool.name).",
            discussion: """
                Clock points: \(tool.clockSources).
                  \(tool.example)
                """
        )
    }

    func run(_ context: OpsContext) throws {
        var settings = IncidentImport.Options()
        settings.dryRun = options.dryRun
        for spec in options.clockNames { try settings.addClockName(spec) }
        let files = try options.files.map { name in
            let file = try context.input(name)
            return ImportFile(name: file.name, data: file.data)
        }
        let workspace = try context.workspace()
        let summary = try IncidentImport(workspace).run(Self.tool, files: files, options: settings, author: try context.author(writer))
        if summary.dryRun {
            for entry in summary.created { context.output("create \(entry.source)  \(entry.title)") }
            for entry in summary.updated { context.output("update \(entry.id) \(entry.source)  \(entry.changes.joined(separator: "; "))") }
        } else {
            for id in summary.ids { context.output(id) }
        }
        context.note(IncidentImport.render(summary))
    }
}

extension Ops.Import {
    struct PagerDuty: ImportCommand {
        static let tool = ImportTool.pagerduty
        @OptionGroup var options: ImportOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct IncidentIO: ImportCommand {
        static let tool = ImportTool.incidentio
        @OptionGroup var options: ImportOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct FireHydrant: ImportCommand {
        static let tool = ImportTool.firehydrant
        @OptionGroup var options: ImportOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Rootly: ImportCommand {
        static let tool = ImportTool.rootly
        @OptionGroup var options: ImportOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Dispatch: ImportCommand {
        static let tool = ImportTool.dispatch
        @OptionGroup var options: ImportOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }
}
