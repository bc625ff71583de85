import ArgumentParser
import OpsKit

extension Ops {
    struct Serve: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Take Alertmanager webhooks over HTTP: firing alerts open incidents.",
            discussion: """
                Point Alertmanager's webhook_configs at http://HOST:PORT/alertmanager. Same
                intake as ops alert ingest: one incident per alert fingerprint, re-sends
                change nothing, resolves go to the timeline. A delivery gets 200 only once
                its commit exists; a Git failure gets 503, so Alertmanager retries.
                Also GET /healthz and GET /metrics (Prometheus). One log line per delivery
                on standard error. SIGTERM or Ctrl-C: finishes what is in flight, then exits.

                The bearer token comes from OPS_SERVE_TOKEN or --token-file. Without one,
                ops serve listens on loopback only. The token is checked on the request
                head: a refused request's body is never read.

                Every --timer-interval seconds it also sends what waits in the outbox
                (the messages of the incidents it opens, and any a command left) and
                runs the escalation timers: an incident still open when its rotation's
                ack_within runs out is paged to the secondary, then to the last resort.
                Run it in one clone only; two would each send these messages.

                Slow or stalled clients cannot use up the server: a request head must
                arrive within --head-timeout, an idle connection closes after
                --idle-timeout, and at most --max-connections are open at once (the
                rest wait in the kernel's queue). The open-file limit is raised to its
                hard limit at start, and the cap kept below it.
                  ops serve --listen 127.0.0.1:9095 --token-file /etc/ops/serve.token
                """
        )

        @Option(
            help: ArgumentHelp(
                "Address and port to listen on. 0.0.0.0:9095 for every interface (needs a token).",
                valueName: "host:port"))
        var listen = "127.0.0.1:9095"

        @Option(
            help: ArgumentHelp(
                "Read the bearer token from the first line of this file (instead of OPS_SERVE_TOKEN).",
                valueName: "file"))
        var tokenFile: String?

        @Option(help: ArgumentHelp("Largest request body accepted, in bytes; bigger ones get 413.", valueName: "bytes"))
        var maxBody = AlertReceiver.defaultMaximumBodySize

        @Option(help: ArgumentHelp("Seconds a client has to send a whole request head before the connection is closed.", valueName: "seconds"))
        var headTimeout = ConnectionLimits.defaultHeadTimeout

        @Option(help: ArgumentHelp("Seconds a connection may stay without a request before it is closed.", valueName: "seconds"))
        var idleTimeout = ConnectionLimits.defaultIdleTimeout

        @Option(
            help: ArgumentHelp(
                "Most connections open at once (default: what the open-file limit leaves room for, at most \(FileLimit.defaultConnectionCeiling)).",
                valueName: "count"))
        var maxConnections: Int?

        @Option(
            help: ArgumentHelp("Seconds between two sends of the outbox and runs of the escalation timers.", valueName: "seconds"))
        var timerInterval = AlertServer.defaultTimerInterval

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard maxBody > 0 else { throw ValidationError("--max-body must be a positive number of bytes") }
            for (flag, seconds) in [("--head-timeout", headTimeout), ("--idle-timeout", idleTimeout)] where !(seconds > 0 && seconds <= 86_400) {
                throw ValidationError("\(flag) must be a number of seconds above 0 and at most 86400 (a day)")
            }
            guard timerInterval > 0 && timerInterval <= 3_600 else {
                throw ValidationError("--timer-interval must be a number of seconds above 0 and at most 3600 (an hour)")
            }
            if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        }

        func run(_ context: OpsContext) throws {
            let address = try ListenAddress(listen)
            let token = try BearerToken.load(file: tokenFile, environment: context.environment, currentDirectory: context.currentDirectory)
            let workspace = try context.workspace()
            let receiver = AlertReceiver(
                root: workspace.root, environment: context.environment, clock: try context.clock(),
                author: try context.author(writer), token: token, maximumBodySize: maxBody)
            let limits = ConnectionLimits(headTimeout: headTimeout, idleTimeout: idleTimeout, maxConnections: maxConnections)
            try AlertServer(
                address: address, receiver: receiver, token: token, repository: workspace.root, limits: limits, timerInterval: timerInterval
            ).run()
        }
    }
}
