import type { NatsServer } from '../nats-server';
import { SERVER } from './global-setup';

/** Stops the run's nats-server and removes its store; an interrupted run's goes by itself. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { [SERVER]?: NatsServer })[SERVER]?.stop();
}
