"""Writing a command's JSON document: to standard output or a whole file.

A snapshot or plan file that another tool reads must never be seen half
written, and a failed write must not destroy the previous file: the
document goes to a temporary file beside the target, then is renamed over
it.
"""

import json
import os
import sys

from nova_lb import exception


def write_json(document, path=None):
    """Write ``document`` to ``path`` atomically, or to stdout if None.

    :raises nova_lb.exception.NovaLBError: naming the file and the reason.
    """
    if not path:
        json.dump(document, sys.stdout)
        sys.stdout.write('\n')
        return
    tmp = '%s.%d.tmp' % (path, os.getpid())
    try:
        with open(tmp, 'x') as f:
            json.dump(document, f)
        os.replace(tmp, path)
    except OSError as e:
        _discard(tmp)
        raise exception.NovaLBError('cannot write %s: %s'
                                    % (path, e.strerror or e))
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp):
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
