import Testing

extension Tag {
    /// Starts a real outside part (Chromium, Alertmanager, sshd, strace) or runs hundreds of
    /// killed writes: minutes, not seconds. `make quick` skips these; `make test` runs all.
    @Tag static var integration: Self
}
