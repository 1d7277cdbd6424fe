import type { NatsConnection } from '@nats-io/transport-node';

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

const monitors = new WeakMap<NatsConnection, ConnectionMonitor>();

/**
 * Follows a connection's status. The client drops what it buffered for a dead socket, so
 * acks and publishes wait here for the reconnect instead of being written into the void.
 */
export class ConnectionMonitor {
  private state: ConnectionState = 'connected';
  private since = new Date();
  private waiters: Waiter[] = [];

  private constructor(private readonly nc: NatsConnection) {
    void this.follow();
  }

  static of(nc: NatsConnection): ConnectionMonitor {
    let monitor = monitors.get(nc);
    if (!monitor) {
      monitor = new ConnectionMonitor(nc);
      monitors.set(nc, monitor);
    }
    return monitor;
  }

  get current(): ConnectionState {
    return this.nc.isClosed() ? 'closed' : this.state;
  }

  /** Why the connection cannot be used right now, or undefined when it can. */
  problem(): string | undefined {
    if (this.current === 'closed') return 'NATS connection is closed';
    if (this.nc.isDraining()) return 'NATS connection is draining (shutting down)';
    if (this.state === 'reconnecting') {
      return `NATS disconnected since ${this.since.toISOString()}; reconnecting to ${this.nc.getServer()}`;
    }
    return undefined;
  }

  /** Resolves once connected; rejects when the connection closes or `timeoutMs` passes first. */
  whenConnected(timeoutMs?: number): Promise<void> {
    if (this.current === 'closed') return Promise.reject(new Error('NATS connection is closed'));
    if (this.state === 'connected') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`${this.problem() ?? 'NATS unavailable'} (waited ${timeoutMs} ms)`));
        }, timeoutMs);
      }
    });
  }

  private async follow(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnecting') {
          if (this.state === 'connected') this.since = new Date();
          this.state = 'reconnecting';
        } else if (status.type === 'reconnect') {
          this.state = 'connected';
          this.since = new Date();
          this.settle((w) => w.resolve());
        } else if (status.type === 'close') {
          break;
        }
      }
    } catch {
      // The status iterator only ends with the connection.
    }
    this.state = 'closed';
    this.settle((w) => w.reject(new Error('NATS connection is closed')));
  }

  private settle(fn: (waiter: Waiter) => void): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach(fn);
  }
}
