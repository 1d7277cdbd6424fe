/** Events as Refinery's producers publish them, for tests of the services that consume them. */
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  EVENTS,
  eventOf,
  type AiLabel,
  type Action,
  type EnvelopedEvent,
  type OutgoingEvent,
} from '@refinery/contracts';

const at = () => new Date().toISOString();

/** A stage report as the stages write it, COMPLETED with `output`. */
const report = <T>(output: T, modelVersion: string) => ({
  status: 'COMPLETED' as const,
  output,
  skip_reason: null,
  retry_count: 0,
  errors: [],
  provider: 'local',
  model_version: modelVersion,
  first_attempt_at: at(),
  finished_at: at(),
  duration_ms: 3,
});

/** enrichment.completed for a delivery exception, as resolution publishes it. */
export function completedException(
  tenant: string,
  answer: {
    label: AiLabel;
    action: Action;
    confidence?: number;
    description?: string;
    model?: string;
    /** The features the classifier weighed, strongest first. */
    explanation?: Array<{ feature: string; weight: number }>;
  },
) {
  const recordId = randomUUID();
  const model = answer.model ?? 'local-v1';
  return eventOf('enrichment.completed', {
    id: `${recordId}:completed`,
    tenant,
    occurred_at: at(),
    record_id: recordId,
    data: {
      input: {
        record_type: 'exception',
        source: 'learning-test',
        external_id: `EXC-${recordId.slice(0, 8)}`,
        received_at: at(),
        payload: {
          order_number: `ORD-${recordId.slice(0, 8)}`,
          description: answer.description ?? 'Parcel is five days late, tracking has not moved.',
          carrier: 'DHL',
        },
      },
      stages: {
        'order-analysis': report({ problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] }, model),
        classification: report(
          {
            ai_label: answer.label,
            ai_confidence: answer.confidence ?? 0.91,
            explanation: answer.explanation ?? [],
          },
          model,
        ),
        resolution: report(
          { action: answer.action, automatable: true, rationale: 'test', confidence: 0.88 },
          model,
        ),
      },
      completed_at: at(),
      latency_ms: 40,
    },
  });
}

/** records.received of a call transcript about an order, as ingestion announces one. */
export function receivedTranscript(tenant: string, orderNumber: string, text: string) {
  const recordId = randomUUID();
  return eventOf(
    'records.received',
    {
      id: `${recordId}:received`,
      tenant,
      occurred_at: at(),
      record_id: recordId,
      data: {
        record_type: 'transcript',
        source: 'contact-center',
        external_id: recordId,
        received_at: at(),
        payload: {
          order_number: orderNumber,
          channel: 'phone',
          text,
          turns: [
            { speaker: 'agent', text: 'Hello, how can I help?' },
            { speaker: 'customer', text },
          ],
        },
      },
    },
    { type: 'transcript' },
  );
}

/** Publishes events after checking them against their contract, as a producer would. */
export class Bus {
  private constructor(readonly nc: NatsConnection) {}

  static async open(): Promise<Bus> {
    return new Bus(await connect({ servers: process.env.NATS_URL }));
  }

  async publish<E extends EnvelopedEvent>(...events: OutgoingEvent<E>[]): Promise<void> {
    const js = jetstream(this.nc);
    for (const event of events) {
      const name = event.payload.type as EnvelopedEvent;
      EVENTS[name].schema.parse(event.payload);
      const h = headers();
      h.set('Nats-Msg-Id', event.msgId);
      await js.publish(event.subject, JSON.stringify(event.payload), { headers: h });
    }
  }

  close(): Promise<void> {
    return this.nc.drain();
  }
}
