"""The demo's client: a oneshot that starts once the web service is ready (its TCP readiness
probe passed) and fetches the page at $DEMO_URL."""
import os
import urllib.request

url = os.environ["DEMO_URL"]
with urllib.request.urlopen(url, timeout=5) as response:
    print(f"GET {url} -> {response.status}: {response.read().decode().strip()}")
