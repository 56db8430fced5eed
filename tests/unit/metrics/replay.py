"""A loopback HTTP server answering Prometheus queries from recordings.

The answers in tests/fixtures/prometheus/answers.json were recorded from
Debian's Prometheus (see record.py there); this replays them over real
HTTP, so the client's requests, TLS-less transport, timeouts and error
handling run for real. It also records each request's headers.
"""

import http.server
import json
import os
import threading
import time
import urllib.parse

import fixtures

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                       'fixtures', 'prometheus', 'answers.json')


def recorded():
    with open(FIXTURE) as f:
        return json.load(f)


class Replay(fixtures.Fixture):
    """``self.url``: a Prometheus that answers what was recorded.

    :param delay: seconds to wait before answering (timeout tests).
    :param drop: label values whose series are left out of every answer
        (a partial answer).
    """

    def __init__(self, delay=0.0, drop=()):
        super().__init__()
        self.delay = delay
        self.drop = set(drop)
        self.headers = []

    def _setUp(self):
        answers = recorded()['answers']
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)['query'][0]
                replay.headers.append(dict(self.headers))
                time.sleep(replay.delay)
                answer = answers.get(query, {'status': 400, 'body': {
                    'status': 'error', 'error': 'not recorded'}})
                body = dict(answer['body'])
                if 'data' in body:
                    body['data'] = dict(body['data'], result=[
                        r for r in body['data']['result']
                        if not replay.drop & set(r['metric'].values())])
                data = json.dumps(body).encode()
                self.send_response(answer['status'])
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.url = 'http://127.0.0.1:%d' % server.server_address[1]
