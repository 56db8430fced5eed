"""The admin guide and the release notes build, warning-free.

``tox -e docs`` and ``tox -e releasenotes`` do the same; running the builds
here makes CI prove them on every change (a renamed option or a broken
cross-reference fails the build, since ``-W`` turns warnings into errors).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from nova_lb.cmd import admin
from nova_lb.conf import opts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _run(*args):
    return subprocess.run([sys.executable] + list(args), cwd=REPO,
                          capture_output=True, text=True)


def _reno(command):
    return _run('-c', 'import sys; from reno.main import main; '
                      'sys.exit(main(sys.argv[1:]))', command)


class DocsBuildTest(unittest.TestCase):

    def setUp(self):
        self.out = tempfile.mkdtemp(prefix='nova-lb-docs-')
        self.addCleanup(shutil.rmtree, self.out)

    def sphinx(self, source):
        result = _run('-m', 'sphinx', '-W', '-E', '-q', '-b', 'html',
                      '-d', os.path.join(self.out, 'doctrees'),
                      os.path.join(REPO, source),
                      os.path.join(self.out, 'html'))
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)

    def test_admin_guide_renders_every_option_and_command(self):
        self.sphinx(os.path.join('doc', 'source'))
        with open(os.path.join(self.out, 'html', 'configuration.html')) as f:
            page = f.read()
        # oslo_config.sphinxext gives each option the anchor GROUP.NAME.
        missing = ['%s.%s' % (group.name, opt.name)
                   for group, group_opts in opts.list_opts()
                   for opt in group_opts
                   if 'id="%s.%s"' % (group.name, opt.name) not in page]
        self.assertEqual([], missing)
        # The command reference is each sub-command's own --help.
        with open(os.path.join(self.out, 'html', 'cli.html')) as f:
            page = f.read()
        self.assertEqual([], ['nova-lb %s' % name for name in admin.COMMANDS
                              if 'usage: nova-lb %s' % name not in page])

    def test_release_notes_lint_report_and_build(self):
        result = _reno('lint')
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        # The report names the file of every note it includes.
        result = _reno('report')
        self.assertEqual(0, result.returncode, result.stderr)
        notes = os.listdir(os.path.join(REPO, 'releasenotes', 'notes'))
        self.assertTrue(notes)
        self.assertEqual([], [n for n in notes
                              if 'releasenotes/notes/%s' % n
                              not in result.stdout])
        self.sphinx(os.path.join('releasenotes', 'source'))
