import ArgumentParser

/// The help of an argument that names a document, worded alike in every command that takes one.
extension ArgumentHelp {
    static let incidentID = ArgumentHelp("The incident: its ID or the first 4+ characters of the ID's last part.")
    static let backlogItemID = ArgumentHelp("The item: its ID, the first 4+ characters of the last part, or its name.")
    static let decisionID = ArgumentHelp("The decision: its ID, the first 4+ characters of the last part, or its name.")
}
