"""A read-only stand-in for Neutron's API.

Nova asks Neutron even about servers booted with ``networks='none'``
(show, delete and live migration list the server's ports, and the API
checks the extension list). Every GET of a collection answers an empty
list; GET / answers a version document. Nothing else is supported: a
test cloud without networking needs nothing else.

Run: python -m minicloud_lib.neutron PORT
"""

import json
import socketserver
import sys
from wsgiref import simple_server


def application(environ, start_response):
    path = environ.get('PATH_INFO', '/').strip('/')
    parts = [p for p in path.split('/') if p]
    if environ['REQUEST_METHOD'] != 'GET':
        status, body = '404 Not Found', {'NeutronError': {
            'type': 'HTTPNotFound', 'detail': '',
            'message': 'the minicloud Neutron stand-in is read-only'}}
    elif not parts:
        status, body = '200 OK', {'versions': [{
            'id': 'v2.0', 'status': 'CURRENT', 'links': [{
                'rel': 'self', 'href': 'http://%s/v2.0/' %
                environ.get('HTTP_HOST', '127.0.0.1')}]}]}
    elif len(parts) == 2 and parts[0] == 'v2.0':
        collection = parts[1].rsplit('.', 1)[0].replace('-', '_')
        status, body = '200 OK', {collection: []}
    else:
        status, body = '404 Not Found', {'NeutronError': {
            'type': 'HTTPNotFound', 'detail': '', 'message': 'not found'}}
    data = json.dumps(body).encode()
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(data)))])
    return [data]


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        sys.stderr.write('%s\n' % (format % args))


def main():
    port = int(sys.argv[1])
    server = simple_server.make_server('127.0.0.1', port, application,
                                       server_class=_Server,
                                       handler_class=_QuietHandler)
    server.serve_forever()


if __name__ == '__main__':
    main()
