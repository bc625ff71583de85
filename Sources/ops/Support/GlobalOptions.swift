import ArgumentParser

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customShort("C"), help: ArgumentHelp("Run as if started in DIR.", valueName: "dir"))
    var directory: String?
}

/// Who makes a change: taken by every command that writes.
struct WriterOptions: ParsableArguments {
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "Who is making the change: a handle from ops.yaml or 'Name <email>'. Default: OPS_USER, then Git's user.name.",
            valueName: "person"), completion: Completions.people)
    var author: String?
}
