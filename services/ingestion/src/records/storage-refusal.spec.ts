import { errors } from '@nats-io/transport-node';
import { refusalOf } from './storage-refusal';

const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('refusalOf', () => {
  it('names what Postgres refused in the data, with its SQLSTATE', () => {
    expect(refusalOf(pgError('22P05', 'unsupported Unicode escape sequence'))).toEqual({
      reason:
        'the database refused the event: unsupported Unicode escape sequence (SQLSTATE 22P05)',
      tooLarge: false,
    });
    expect(refusalOf(pgError('54000', 'index row size exceeds maximum'))?.tooLarge).toBe(true);
  });

  it('takes a message over the bus limit as too large', () => {
    const error = errors.InvalidArgumentError.format('payload', 'max_payload size exceeded');
    expect(refusalOf(new Error('publish failed', { cause: error }))).toMatchObject({
      tooLarge: true,
      reason: expect.stringMatching(/too large to publish/),
    });
  });

  it('refuses nothing for failures the data did not cause', () => {
    expect(refusalOf(pgError('57P01', 'terminating connection'))).toBeUndefined();
    expect(refusalOf(pgError('42P01', 'relation does not exist'))).toBeUndefined();
    expect(refusalOf(new Error('NATS connection is closed'))).toBeUndefined();
  });
});
