"""A command's JSON file is complete or untouched, never half written."""

import io
import json
import os

import fixtures
import testtools

from nova_lb.cmd import output
from nova_lb import exception


class WriteJsonTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.dir, 'doc.json')

    def test_file_replaced_whole(self):
        with open(self.path, 'w') as f:
            f.write('old')
        output.write_json({'a': [1, 2]}, self.path)
        with open(self.path) as f:
            self.assertEqual({'a': [1, 2]}, json.load(f))
        self.assertEqual(['doc.json'], os.listdir(self.dir))

    def test_stdout_without_path(self):
        stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        output.write_json({'a': 1})
        self.assertEqual('{"a": 1}\n', stdout.getvalue())

    def test_unwritable_is_one_line_and_keeps_nothing(self):
        path = os.path.join(self.dir, 'missing', 'doc.json')
        e = self.assertRaises(exception.NovaLBError, output.write_json,
                              {'a': 1}, path)
        self.assertEqual('cannot write %s: No such file or directory' % path,
                         str(e))
        self.assertEqual([], os.listdir(self.dir))

    def test_unserialisable_keeps_old_file(self):
        with open(self.path, 'w') as f:
            f.write('old')
        self.assertRaises(TypeError, output.write_json, {'a': object()},
                          self.path)
        with open(self.path) as f:
            self.assertEqual('old', f.read())
        self.assertEqual(['doc.json'], os.listdir(self.dir))
