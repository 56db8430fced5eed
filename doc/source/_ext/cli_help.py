"""``.. cli-help:: MODULE``: the ``--help`` of a nova-lb console script.

The command reference is the scripts' own help, captured at build time, so
it always lists the commands and options that exist. With
``:subcommands:``, each entry of the module's ``COMMANDS`` gets a section
with its own ``--help``.
"""

import contextlib
import importlib
import io
import os

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _help(module, argv):
    out = io.StringIO()
    old = os.environ.get('COLUMNS')
    os.environ['COLUMNS'] = '79'
    try:
        with contextlib.redirect_stdout(out):
            try:
                module.main(argv + ['--help'])
            except SystemExit as e:
                if e.code:
                    raise RuntimeError('%s %s --help exited with %s'
                                       % (module.__name__, ' '.join(argv),
                                          e.code))
    finally:
        if old is None:
            del os.environ['COLUMNS']
        else:
            os.environ['COLUMNS'] = old
    return out.getvalue()


class CliHelp(SphinxDirective):
    required_arguments = 1
    option_spec = {'subcommands': directives.flag}

    def run(self):
        module = importlib.import_module(self.arguments[0])
        lines = []

        def block(text):
            lines.extend(['.. code-block:: text', ''])
            lines.extend('    ' + line for line in text.splitlines())
            lines.append('')

        if 'subcommands' not in self.options:
            block(_help(module, []))
        else:
            for name in sorted(module.COMMANDS):
                title = '``%s``' % name
                lines.extend([title, '-' * len(title), ''])
                block(_help(module, [name]))
        result = StringList(lines, source=self.arguments[0])
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, result, node)
        return node.children


def setup(app):
    app.add_directive('cli-help', CliHelp)
    return {'parallel_read_safe': True}
