import type { INestApplication } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { DLQ_HEADERS, JetStreamPublisher, NonRetryableError } from '../src';
import { consumerController } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { natsPerTest } from './support/nats-per-test';

const nats = natsPerTest();

/**
 * Nest's RPC layer replaces unknown errors with `{ status: 'error', message: 'Internal server
 * error' }`. The app below also registers a catch-all RPC filter of its own, the kind that
 * would hide a NonRetryableError from the server if @JetStreamConsumer did not hand it on.
 */
const withSwallowingFilter = (nest: INestApplication) => {
  nest.useGlobalFilters(new BaseRpcExceptionFilter());
};

describe('errors thrown by a Nest controller handler', () => {
  it('NonRetryableError goes to the dead-letter queue at once', async () => {
    let calls = 0;
    const options = {
      durable: 'refuses',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('refuses', '*'),
      retry: [200, 200],
    };
    const app = await nats.start(
      [
        consumerController(options, () => {
          calls++;
          throw new NonRetryableError('order references an unknown customer');
        }),
      ],
      withSwallowingFilter,
    );

    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('refuses', 'acme'), { id: 'o-1' }, { msgId: 'refuses-1' });

    const letter = await nats.fixture.deadLetter();
    expect(letter?.header.get(DLQ_HEADERS.reason)).toBe(
      'non_retryable: NonRetryableError: order references an unknown customer',
    );
    expect(letter?.header.get(DLQ_HEADERS.deliveries)).toBe('1');
    await sleep(500); // longer than the first retry delay: no second call may follow
    expect(calls).toBe(1);
    await eventually(() => nats.fixture.settled('refuses'));
  });

  it('any other error is retried, and the dead letter names the original error', async () => {
    let calls = 0;
    const options = {
      durable: 'crashes',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('crashes', '*'),
      retry: [100],
    };
    const app = await nats.start(
      [
        consumerController(options, async () => {
          calls++;
          throw new TypeError("Cannot read properties of undefined (reading 'total')");
        }),
      ],
      withSwallowingFilter,
    );

    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('crashes', 'acme'), { id: 'o-2' }, { msgId: 'crashes-1' });

    const letter = await nats.fixture.deadLetter();
    expect(calls).toBe(2);
    expect(letter?.header.get(DLQ_HEADERS.reason)).toBe(
      "retries_exhausted: TypeError: Cannot read properties of undefined (reading 'total')",
    );
  });
});
