"""What commands print: JSON documents, and lines safe for a terminal.

A snapshot or plan file that another tool reads must never be seen half
written, and a failed write must not destroy the previous file: files are
written through :func:`nova_lb.atomicfile.write`.

Names in plans and messages come from the cloud, and tenants choose server
and group names: printed raw, a name with terminal escapes could clear an
admin's screen or, with a newline, forge a ``wave 0:`` line of a plan.
Every line for a human goes through :func:`printable`.
"""

import json
import sys
import unicodedata

from nova_lb import atomicfile


def write_json(document, path=None):
    """Write ``document`` to ``path`` atomically, or to stdout if None.

    :raises nova_lb.exception.NovaLBError: naming the file and the reason.
    """
    if not path:
        json.dump(document, sys.stdout)
        sys.stdout.write('\n')
        return
    atomicfile.write(path, json.dumps(document))


def printable(text):
    """``text`` with control and format characters escaped (``\\x1b``,
    ``\\n``, ``\\u202e``), so it prints as exactly one line of itself.
    """
    return ''.join(
        c if unicodedata.category(c)[0] != 'C' else
        c.encode('unicode_escape').decode('ascii') for c in str(text))


def lines(text_lines):
    """``text_lines`` made :func:`printable`, joined, ending in a newline."""
    return ''.join(printable(line) + '\n' for line in text_lines)
