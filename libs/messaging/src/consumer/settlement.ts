import type { LoggerService } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import type { ConnectionMonitor } from '../connection/connection-monitor';

const label = (msg: JsMsg) => `${msg.info.stream}#${msg.info.streamSequence}`;

/**
 * Acks, naks and terms wait out a reconnect: the client would drop them with the old socket.
 * One that still fails only means a redelivery after ack_wait, which handlers tolerate.
 */
export class Settlement {
  constructor(
    private readonly monitor: ConnectionMonitor,
    private readonly logger: LoggerService,
  ) {}

  /** Whether acks can go out right now. */
  get connected(): boolean {
    return this.monitor.current === 'connected';
  }

  /** Why acks cannot go out right now (NATS disconnected, draining, closed), or undefined. */
  problem(): string | undefined {
    return this.monitor.problem();
  }

  /** Resolves once connected; rejects when the connection closed. */
  ready(): Promise<void> {
    return this.monitor.whenConnected();
  }

  ack(msg: JsMsg): Promise<boolean> {
    return this.send(msg, 'ack', () => msg.ack());
  }

  nak(msg: JsMsg, delayMs: number): Promise<boolean> {
    return this.send(msg, 'nak', () => msg.nak(delayMs));
  }

  term(msg: JsMsg): Promise<boolean> {
    return this.send(msg, 'term', () => msg.term());
  }

  /** Resets ack_wait while a handler is still busy; skipped while disconnected. */
  working(msgs: readonly JsMsg[]): void {
    if (this.monitor.current !== 'connected') return;
    for (const msg of msgs) {
      try {
        msg.working();
      } catch {
        return;
      }
    }
  }

  /**
   * Tells the server every `ackWaitMs / 2` that the messages are still being handled; `msgs`
   * may be a function, asked each time, for a set that shrinks as parts of it are settled.
   */
  keepAlive(msgs: readonly JsMsg[] | (() => readonly JsMsg[]), ackWaitMs: number): () => void {
    const current = typeof msgs === 'function' ? msgs : () => msgs;
    const timer = setInterval(
      () => this.working(current()),
      Math.max(250, Math.floor(ackWaitMs / 2)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  private async send(msg: JsMsg, what: string, fn: () => void): Promise<boolean> {
    try {
      await this.monitor.whenConnected();
      fn();
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`could not ${what} ${label(msg)}: ${reason}; it will be redelivered`);
      return false;
    }
  }
}
