import {
  describeDatabaseError,
  isInputDatabaseError,
  isTransientDatabaseError,
} from './database-errors';

/** An error shaped as node-postgres raises one for a server message. */
const pgError = (code: string, message = 'failed') =>
  Object.assign(new Error(message), { code, severity: 'ERROR', detail: 'the detail' });

describe('describeDatabaseError', () => {
  it('takes data exceptions, integrity violations and program limits as the input’s fault', () => {
    for (const code of ['22P05', '22021', '22001', '22008', '23505', '23502', '54000']) {
      expect(describeDatabaseError(pgError(code))).toEqual({
        kind: 'input',
        code,
        message: 'failed (the detail)',
      });
    }
  });

  it('takes connection loss, overload, shutdown and conflicts as transient', () => {
    for (const code of ['08006', '08P01', '40001', '40P01', '53300', '57P01', '57P03', '57014'])
      expect(isTransientDatabaseError(pgError(code))).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(isTransientDatabaseError(refused)).toBe(true);
    expect(isTransientDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe(
      true,
    );
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('takes anything else as neither, such as a bug in the statement', () => {
    expect(describeDatabaseError(pgError('42601'))?.kind).toBe('other');
    expect(describeDatabaseError(new TypeError('x is undefined'))).toBeUndefined();
    // A Node error code of five letters is no SQLSTATE.
    expect(isInputDatabaseError(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe(false);
  });

  it('looks through wrapping errors', () => {
    const wrapped = new Error('could not store', { cause: pgError('22P05') });
    expect(isInputDatabaseError(wrapped)).toBe(true);
    expect(isInputDatabaseError({ driverError: pgError('22021') })).toBe(true);
  });
});
