"""The demo's web service: reads its port from the configData file nimi put in
$XDG_CONFIG_HOME, serves a greeting, and exits after a few seconds so the demo ends by itself."""
import http.server
import os
import threading

path = os.path.join(os.environ["XDG_CONFIG_HOME"], "demo", "web.conf")
with open(path) as f:
    conf = dict(line.split("=", 1) for line in f.read().split())
port = int(conf["port"])
seconds = float(conf.get("seconds", "6"))


class Greeting(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the demo web service run by nimi\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Greeting)
print(f"read port {port} from {path}")
print(f"listening on http://127.0.0.1:{port}/ for {seconds:g} s")
threading.Timer(seconds, server.shutdown).start()
server.serve_forever()
print("time is up: shutting down")
