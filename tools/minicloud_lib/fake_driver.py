"""Fake virt driver for minicloud computes.

Based on Nova's FakeDriverWithoutFakeNodes, whose node identity lives in
``state_path`` so a restarted nova-compute keeps its compute node. On top:

* guests are kept in ``<state_path>/minicloud-guests.json``, so a killed
  and restarted nova-compute still finds the guests Nova placed on it;
* each compute reports the inventory of its own ``[minicloud]`` options;
* a live migration takes ``[minicloud] migration_seconds`` (so fault tests
  can kill a service mid-migration) and honours abort and force-complete;
* with ``[minicloud] load_exporter_port``, each guest's synthetic load
  (from its metadata, see :mod:`load_exporter`) is served to Prometheus.
"""

import json
import os
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from nova.virt import fake

from minicloud_lib import load_exporter

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

_OPTS = [
    cfg.IntOpt('vcpus', default=8, min=1, help='VCPU inventory total.'),
    cfg.IntOpt('memory_mb', default=16384, min=1,
               help='MEMORY_MB inventory total.'),
    cfg.IntOpt('local_gb', default=200, min=1,
               help='DISK_GB inventory total.'),
    cfg.FloatOpt('migration_seconds', default=0.0, min=0.0,
                 help='How long a live migration runs before it completes.'),
    cfg.PortOpt('load_exporter_port',
                help='Serve the guests\' synthetic load on this loopback '
                     'port (unset: no exporter).'),
]
CONF.register_opts(_OPTS, group='minicloud')


class _RunningMigration(object):
    """A live migration in progress: ends early on abort or force-complete."""

    def __init__(self):
        self.finished = threading.Event()
        self.aborted = False


class MinicloudFakeDriver(fake.FakeDriverWithoutFakeNodes):

    def __init__(self, virtapi, read_only=False):
        # FakeDriver sizes its Resources from these in __init__.
        self.vcpus = CONF.minicloud.vcpus
        self.memory_mb = CONF.minicloud.memory_mb
        self.local_gb = CONF.minicloud.local_gb
        super().__init__(virtapi, read_only)
        self._guest_file = os.path.join(CONF.state_path,
                                        'minicloud-guests.json')
        self._lock = threading.Lock()
        self._sizes = {}
        #: uuid -> (name, cpu cores, memory MiB, measured, since)
        self._loads = {}
        self._migrations = {}
        self._load_guests()
        if CONF.minicloud.load_exporter_port:
            load_exporter.serve(CONF.minicloud.load_exporter_port,
                                lambda: dict(self._loads))

    # -- persistence ------------------------------------------------------
    def _load_guests(self):
        try:
            with open(self._guest_file) as f:
                guests = json.load(f)
        except FileNotFoundError:
            return
        for uuid, guest in guests.items():
            self.instances[uuid] = fake.FakeInstance(
                guest['name'], guest['state'], uuid)
            self._sizes[uuid] = guest['size']
            if guest.get('load'):
                self._loads[uuid] = tuple(guest['load'])
            self.resources.claim(*guest['size'])
        LOG.info("Loaded %(n)d guests from %(file)s",
                 {'n': len(guests), 'file': self._guest_file})

    def _save_guests(self):
        with self._lock:
            guests = {uuid: {'name': inst.name, 'state': inst.state,
                             'size': self._sizes.get(uuid, (0, 0, 0)),
                             'load': self._loads.get(uuid)}
                      for uuid, inst in self.instances.items()}
            tmp = self._guest_file + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(guests, f)
            os.replace(tmp, self._guest_file)

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        super().spawn(context, instance, image_meta, injected_files,
                      admin_password, allocations, network_info,
                      block_device_info, power_on, accel_info)
        flavor = instance.flavor
        self._sizes[instance.uuid] = (flavor.vcpus, flavor.memory_mb,
                                      flavor.root_gb)
        # Also on a live migration's destination: a new series starts.
        self._loads[instance.uuid] = (instance.name,) + load_exporter.load_of(
            instance.metadata, flavor.vcpus, flavor.memory_mb) + (
                time.time(),)
        self._save_guests()

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        super().destroy(context, instance, network_info, block_device_info,
                        destroy_disks, destroy_secrets)
        self._sizes.pop(instance.uuid, None)
        self._loads.pop(instance.uuid, None)
        self._save_guests()

    def power_off(self, instance, timeout=0, retry_interval=0):
        super().power_off(instance, timeout, retry_interval)
        self._save_guests()

    def power_on(self, context, instance, network_info,
                 block_device_info=None, accel_info=None, share_info=None):
        super().power_on(context, instance, network_info, block_device_info,
                         accel_info, share_info)
        self._save_guests()

    def finish_revert_migration(self, context, instance, network_info,
                                migration, block_device_info=None,
                                power_on=True, share_info=None):
        super().finish_revert_migration(
            context, instance, network_info, migration, block_device_info,
            power_on, share_info)
        self._save_guests()

    def get_available_resource(self, nodename):
        resources = super().get_available_resource(nodename)
        # Like a real driver, report the disk left (FakeDriver says 0 GB).
        resources['disk_available_least'] = (
            self.local_gb - self.resources.local_gb_used)
        return resources

    # -- live migration ---------------------------------------------------
    def live_migration(self, context, instance, dest,
                       post_method, recover_method, block_migration=False,
                       migrate_data=None):
        running = _RunningMigration()
        self._migrations[instance.uuid] = running
        running.finished.wait(CONF.minicloud.migration_seconds)
        self._migrations.pop(instance.uuid, None)
        if running.aborted:
            recover_method(context, instance, dest, migrate_data,
                           migration_status='cancelled')
        else:
            post_method(context, instance, dest, block_migration,
                        migrate_data)

    def live_migration_force_complete(self, instance):
        running = self._migrations.get(instance.uuid)
        if running:
            running.finished.set()

    def live_migration_abort(self, instance):
        running = self._migrations.get(instance.uuid)
        if running:
            running.aborted = True
            running.finished.set()

    def post_live_migration(self, context, instance, block_device_info,
                            migrate_data=None):
        # Runs on the source: the guest now lives on the destination.
        if instance.uuid in self.instances:
            self.destroy(context, instance, network_info=None,
                         block_device_info=block_device_info)

