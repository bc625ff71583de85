#!/usr/bin/env python3
"""make demo's stand-in for a Slack incoming webhook, on 127.0.0.1 only.

Usage: demo-slack.py PORT_FILE LOG_FILE. Writes the port it listens on to PORT_FILE, appends
each message's plain text (Slack's "text" field) to LOG_FILE, and answers 200 "ok" as Slack does.
"""
import http.server
import json
import os
import sys

port_file, log_file = sys.argv[1], sys.argv[2]


class Slack(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            text = json.loads(body).get("text", "")
        except ValueError:
            text = "(not JSON)"
        # As Slack shows it: escapes undone, invisible word joiners dropped.
        text = text.replace("\u2060", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        with open(log_file, "a", encoding="utf-8") as log:
            log.write(text + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Slack)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
