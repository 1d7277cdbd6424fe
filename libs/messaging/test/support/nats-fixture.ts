import type { StreamDefinition } from '@refinery/contracts';
import { subjectOf } from '@refinery/contracts';
import {
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type StoredMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { eventually } from './eventually';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * A stream, subjects and a service name no other test uses, on the real server. The DLQ
 * subject is `dlq.<service>`: captured by the platform's DLQ stream when it exists, else by a
 * stream of the fixture's own.
 */
export class NatsFixture {
  readonly id = `t_${randomBytes(5).toString('hex')}`;
  readonly service = `svc_${this.id}`;
  readonly stream: StreamDefinition = {
    name: this.id.toUpperCase(),
    subjects: [`${this.id}.>`],
    description: 'messaging test',
    maxAgeDays: 1,
  };
  readonly dlqSubject = subjectOf('dlq', { service: this.service });
  /** What the JetStreamServer under test should ensure. */
  readonly streams: StreamDefinition[] = [this.stream];
  dlqStream = `${this.stream.name}_DLQ`;
  private ownDlq = false;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  static async create(): Promise<NatsFixture> {
    const nc = await connect({ servers: NATS_URL, name: 'messaging-test' });
    const fixture = new NatsFixture(nc, jetstream(nc), await jetstreamManager(nc));
    await fixture.setUpDlq();
    return fixture;
  }

  subject(...tokens: string[]): string {
    return [this.id, ...tokens].join('.');
  }

  consumerInfo(durable: string): Promise<ConsumerInfo> {
    return this.jsm.consumers.info(this.stream.name, durable);
  }

  /** Nothing waiting and nothing delivered but unsettled. */
  async settled(durable: string): Promise<boolean> {
    const info = await this.consumerInfo(durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  async dlqCount(): Promise<number> {
    const info = await this.jsm.streams.info(this.dlqStream, { subjects_filter: this.dlqSubject });
    return info.state.subjects?.[this.dlqSubject] ?? 0;
  }

  /** Waits for the first dead letter, then returns the latest. */
  async deadLetter(): Promise<StoredMsg | null> {
    await eventually(() => this.dlqCount());
    return this.lastDeadLetter();
  }

  async lastDeadLetter(): Promise<StoredMsg | null> {
    return this.jsm.streams
      .getMessage(this.dlqStream, { last_by_subj: this.dlqSubject })
      .catch(() => null);
  }

  async close(): Promise<void> {
    await this.jsm.streams.delete(this.stream.name).catch(() => undefined);
    if (this.ownDlq) await this.jsm.streams.delete(this.dlqStream).catch(() => undefined);
    else
      await this.jsm.streams
        .purge(this.dlqStream, { filter: this.dlqSubject })
        .catch(() => undefined);
    await this.nc.close();
  }

  private async setUpDlq(): Promise<void> {
    const existing = await this.jsm.streams.find(this.dlqSubject).catch(() => undefined);
    if (existing) {
      this.dlqStream = existing;
      return;
    }
    this.ownDlq = true;
    this.streams.push({
      name: this.dlqStream,
      subjects: [this.dlqSubject],
      description: 'messaging test DLQ',
      maxAgeDays: 1,
    });
  }
}
