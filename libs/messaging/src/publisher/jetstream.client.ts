import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamRecord } from './jetstream-record';
import type { JetStreamPublisher, PublishOptions } from './jetstream.publisher';

/**
 * `client.emit(subject, data)` publishes to JetStream and emits the PubAck. `data` is a
 * JetStreamRecord, or an envelope whose `id` becomes the msg id. There is no request/reply.
 */
export class JetStreamClient extends ClientProxy {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly connection: NatsConnection,
  ) {
    super();
  }

  async connect(): Promise<NatsConnection> {
    return this.connection;
  }

  /** The connection belongs to MessagingModule, which drains it at shutdown. */
  async close(): Promise<void> {}

  unwrap<T>(): T {
    return this.connection as unknown as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error(
        'JetStreamClient does not support request/response (send); publish events with emit()',
      ),
      isDisposed: true,
    });
    return () => undefined;
  }

  protected async dispatchEvent<T = PubAck>(packet: ReadPacket): Promise<T> {
    const subject: unknown = packet.pattern;
    if (typeof subject !== 'string')
      throw new Error('JetStreamClient.emit() takes the subject as its pattern');
    const { payload, options } = toRecord(packet.data);
    const ack = await this.publisher.publish(subject, payload, options);
    return ack as T;
  }
}

function toRecord(data: unknown): { payload: object; options: PublishOptions } {
  if (data instanceof JetStreamRecord) return { payload: data.payload, options: data.options };
  if (typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'string') {
    return { payload: data, options: { msgId: data.id } };
  }
  throw new Error(
    'JetStreamClient.emit() needs a msg id: pass a JetStreamRecord, or an envelope with a string id',
  );
}
