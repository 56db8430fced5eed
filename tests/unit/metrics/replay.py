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

#: The servers record.py exported: busy (1.5 cores, 3000 MiB), idle (0.25
#: cores, 512 MiB), lost (not exported), and one it never knew.
BUSY = '11111111-1111-4111-8111-111111111111'
IDLE = '22222222-2222-4222-8222-222222222222'
LOST = '33333333-3333-4333-8333-333333333333'
ABSENT = '44444444-4444-4444-8444-444444444444'

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
