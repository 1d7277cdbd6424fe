import type { ReadinessCheck } from '@refinery/observability';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConnectionMonitor } from './connection-monitor';

/** Ready while connected and the server answers a ping. */
export function natsReadinessCheck(nc: NatsConnection): ReadinessCheck {
  const monitor = ConnectionMonitor.of(nc);
  return {
    name: 'nats',
    async check() {
      const problem = monitor.problem();
      if (problem) throw new Error(problem);
      await nc.rtt();
    },
  };
}
