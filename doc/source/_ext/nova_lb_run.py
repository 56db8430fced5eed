"""``.. nova-lb-run:: NAME.png``: run nova-lb commands, show the output.

Figures in the guide come from the commands they illustrate, run at build
time, never pasted: each line of the content is a ``nova-lb`` command
line, in order; ``{snapshot}`` is a scratch file and ``{chart}`` the
image the page shows. The last command's output is shown as text. The
commands run with ``[solver] time_limit`` set by ``:time-limit:``
(default 2 s) to keep the build short, and the text says so.
"""

import contextlib
import io
import os
import shlex
import tempfile

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from nova_lb.cmd import admin

#: Where generated images go, under the source directory.
GENERATED = '_generated'


class NovaLbRun(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {'time-limit': directives.positive_int}

    def run(self):
        limit = self.options.get('time-limit', 2)
        folder = os.path.join(self.env.srcdir, GENERATED)
        os.makedirs(folder, exist_ok=True)
        chart = os.path.join(folder, self.arguments[0])
        with tempfile.TemporaryDirectory() as scratch:
            conf = os.path.join(scratch, 'nova-lb.conf')
            with open(conf, 'w') as f:
                f.write('[solver]\ntime_limit = %d\n' % limit)
            values = {'snapshot': os.path.join(scratch, 'snapshot.json'),
                      'chart': chart}
            shown = []
            for line in self.content:
                argv = [a.format(**values) for a in shlex.split(line)]
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    code = admin.main(['--config-file', conf] + argv)
                if code:
                    raise self.error('nova-lb %s exited with %s'
                                     % (line, code))
                shown.append('$ nova-lb %s' % line.format(
                    snapshot='cloud.json', chart=self.arguments[0]))
        text = '\n'.join(shown) + '\n' + out.getvalue()
        note = nodes.paragraph(text='Run while this guide was built, with '
                               '[solver] time_limit = %d s:' % limit)
        image = nodes.image(uri='%s/%s' % (GENERATED, self.arguments[0]),
                            alt='weighted peak against migrations')
        return [note, nodes.literal_block(text, text), image]


def setup(app):
    app.add_directive('nova-lb-run', NovaLbRun)
    return {'parallel_read_safe': True}
