import type { PubAck } from '@nats-io/jetstream';
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface PipelinedMessage {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
}

/** What came back for one message: its ack, or why it has none (then it is worth a retry). */
export type AckOutcome = { ok: true; ack: PubAck } | { ok: false; error: string };

interface Waiting {
  settle(outcome: AckOutcome): void;
}

const decoder = new TextDecoder();

/**
 * Publishes a batch with one reply subscription for all its acks, as the Go client's
 * PublishAsync does. A request per message (what `js.publish` does) costs a promise, a timer,
 * a mux entry and an Error with a stack trace each: most of a busy publisher's CPU.
 */
export class AckPipeline {
  private subscription?: Subscription;
  private readonly prefix = createInbox();
  private readonly waiting = new Map<string, Waiting>();
  private counter = 0;

  constructor(private readonly nc: NatsConnection) {}

  /** Resolves with one outcome per message, in order, within `timeoutMs` at the latest. */
  publish(messages: readonly PipelinedMessage[], timeoutMs: number): Promise<AckOutcome[]> {
    this.subscribe();
    const tokens: string[] = [];
    const outcomes = messages.map((message) => {
      const token = String(++this.counter);
      tokens.push(token);
      const settled = new Promise<AckOutcome>((resolve) =>
        this.waiting.set(token, { settle: resolve }),
      );
      this.nc.publish(message.subject, message.data, {
        reply: `${this.prefix}.${token}`,
        headers: message.headers,
      });
      return settled;
    });
    const timer = setTimeout(() => {
      for (const token of tokens)
        this.settle(token, { ok: false, error: `no ack within ${timeoutMs} ms` });
    }, timeoutMs);
    return Promise.all(outcomes).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const token of [...this.waiting.keys()])
      this.settle(token, { ok: false, error: 'publisher closed' });
  }

  private subscribe(): void {
    if (this.subscription && !this.subscription.isClosed()) return;
    // The client re-creates the subscription after a reconnect; acks lost meanwhile time out.
    this.subscription = this.nc.subscribe(`${this.prefix}.*`, {
      callback: (error, msg) => {
        if (!error) this.settle(msg.subject.slice(this.prefix.length + 1), outcomeOf(msg));
      },
    });
  }

  private settle(token: string, outcome: AckOutcome): void {
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    waiting.settle(outcome);
  }
}

function outcomeOf(msg: Msg): AckOutcome {
  if (msg.headers?.code === 503)
    return { ok: false, error: 'no stream captures this subject (or JetStream is unavailable)' };
  try {
    const body = JSON.parse(decoder.decode(msg.data)) as PubAck & {
      error?: { description?: string; code?: number };
    };
    if (body.error)
      return {
        ok: false,
        error: `JetStream refused it: ${body.error.description ?? body.error.code}`,
      };
    return {
      ok: true,
      ack: {
        stream: body.stream,
        seq: body.seq,
        duplicate: body.duplicate ?? false,
        domain: body.domain,
      },
    };
  } catch {
    return { ok: false, error: 'the ack was not JSON' };
  }
}
