"""Installing Debian's packages for the test clouds without starting them.

Debian's maintainer scripts start a freshly installed server system-wide,
listening on every interface. The test clouds run their own copies on
loopback, so every install goes through here: where no policy-rc.d forbids
starting services, one that does is in place for the duration of the
install.
"""

import os
import shutil
import subprocess

POLICY_RC_D = '/usr/sbin/policy-rc.d'


def apt_install(packages, update=True):
    """``apt-get install`` ``packages`` (root only), starting none of them."""
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if update:
        subprocess.run(['apt-get', 'update', '-q'], check=True, env=env)
    own_policy = not os.path.exists(POLICY_RC_D)
    if own_policy:
        with open(POLICY_RC_D, 'w') as f:
            f.write('#!/bin/sh\n# tools/minicloud install: start nothing\n'
                    'exit 101\n')
        os.chmod(POLICY_RC_D, 0o755)
    try:
        subprocess.run(['apt-get', 'install', '-y', '-q'] + list(packages),
                       check=True, env=env)
    finally:
        if own_policy:
            os.remove(POLICY_RC_D)


def missing(binaries):
    """The commands of ``binaries`` not on PATH: what an install must add."""
    return [b for b in binaries if shutil.which(b) is None]
