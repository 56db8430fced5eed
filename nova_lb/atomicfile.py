"""Replace a file in one step: never seen half written, never lost.

Snapshots and plans other tools read, the rebalancer's state files and
the node exporter's metrics file are read while nova-lb may be writing
them, and a crash or a full disk mid-write must leave the previous file
intact. So every file nova-lb writes goes to a temporary file beside its
target, is flushed to disk (without the fsync a rename can reach the disk
before the data it points to, and a power cut leaves an empty file), and
is then renamed over the target.
"""

import os
import tempfile

from nova_lb import exception


def write(path, text):
    """Replace ``path`` with ``text``, readable by all (0644).

    :raises nova_lb.exception.NovaLBError: naming the file and the reason;
        ``path`` is then as it was and no temporary file is left.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    except OSError as e:
        raise _cannot(path, e)
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise _cannot(path, e)
        raise


def _cannot(path, error):
    return exception.NovaLBError('cannot write %s: %s'
                                 % (path, error.strerror or error))
