/// The short forms people read in messages and type back.
public enum ShortName {
    /// An incident's short form, as `ops incident ack 7f3a` takes it: the first four characters
    /// of its ID's last part.
    public static func incident(_ id: String) -> String { String(id.suffix(8).prefix(4)).lowercased() }

    /// A commit's abbreviated name, as `git log --oneline` shows it.
    public static func commit(_ id: String) -> String { String(id.prefix(7)) }
}
