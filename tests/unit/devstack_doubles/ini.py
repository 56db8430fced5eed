"""INI editing with the semantics of DevStack's iniset/iniadd/iniget.

A stand-in for DevStack's inc/ini-config in the plugin's tests, so the
nova.conf the plugin produces is a real file that oslo.config then parses.
Usage: ini.py set|add|get|get-multiline FILE SECTION OPTION [VALUE...]

- set: replace every line of OPTION in SECTION with one value (add the
  option, the section and the file when missing);
- add: keep OPTION's lines and add one line per VALUE (a multi-valued
  option such as available_filters);
- get: the first value; get-multiline: all values, space-separated.
"""

import os
import re
import sys

_SECTION = re.compile(r'^\[(?P<name>[^\]]+)\]\s*$')
_OPTION = re.compile(r'^(?P<name>[^#;=\s][^=]*?)\s*=\s*(?P<value>.*)$')


def _read(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def _span(lines, section):
    """(first, end) line indexes of SECTION's body, or None."""
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if m and m.group('name') == section:
            end = i + 1
            while end < len(lines) and not _SECTION.match(lines[end]):
                end += 1
            return i + 1, end
    return None


def _values(lines, span, option):
    first, end = span
    return [(i, m.group('value')) for i in range(first, end)
            for m in [_OPTION.match(lines[i])]
            if m and m.group('name') == option]


def _write(path, section, option, values, keep_old):
    lines = _read(path)
    span = _span(lines, section)
    if span is None:
        lines += ['', '[%s]' % section]
        span = (len(lines), len(lines))
    old = _values(lines, span, option)
    new = ['%s = %s' % (option, v) for v in values]
    if old and not keep_old:
        # In place of the first old line; the others go.
        for i, _ in reversed(old[1:]):
            del lines[i]
        lines[old[0][0]:old[0][0] + 1] = new
    elif old:
        lines[old[-1][0] + 1:old[-1][0] + 1] = new
    else:
        # At the end of the section's non-blank lines.
        at = span[1]
        while at > span[0] and not lines[at - 1].strip():
            at -= 1
        lines[at:at] = new
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main(argv):
    command, path, section, option = argv[:4]
    values = argv[4:]
    if command == 'set':
        _write(path, section, option, values[:1], keep_old=False)
    elif command == 'add':
        _write(path, section, option, values, keep_old=True)
    elif command in ('get', 'get-multiline'):
        lines = _read(path)
        span = _span(lines, section)
        found = [v for _, v in _values(lines, span, option)] if span else []
        print(' '.join(found if command == 'get-multiline' else found[:1]))
    else:
        sys.exit('ini.py: unknown command %s' % command)


if __name__ == '__main__':
    main(sys.argv[1:])
