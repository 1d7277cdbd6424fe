import { subjectOf } from '@refinery/contracts';
import { problemFor, ProblemException } from '@refinery/runtime';
import type { DeadLetterView, ManageDeadLettersUseCase } from '../dlq/manage-dead-letters.use-case';
import { dlqArgs, DlqUsageError, listTable, purgeText, runDlqCommand, table } from './dlq.command';

const letter = (seq: number, overrides: Partial<DeadLetterView> = {}): DeadLetterView => ({
  seq,
  dead_lettered_at: '2026-05-01T10:00:00.123Z',
  service: 'order-analysis',
  consumer: 'order-analysis-exception',
  reason: 'retries_exhausted',
  error: 'Error: analysis: HTTP 503: The model is overloaded',
  tenant: 'acme',
  subject: subjectOf('records.received', { tenant: 'acme', type: 'exception' }),
  stream: 'RECORDS',
  stream_seq: 12,
  msg_id: 'r-1:received',
  deliveries: 3,
  replay_of: null,
  replayed: false,
  replays: [],
  ...overrides,
});

describe('npm run admin -- dlq', () => {
  it('reads flags with values, switches, and --dry-run as dry_run', () => {
    expect(
      dlqArgs(['purge', '--service', 'order-analysis', '--since', '2h', '--dry-run', '--json']),
    ).toEqual({
      positional: ['purge'],
      fields: { service: 'order-analysis', since: '2h', dry_run: true },
      json: true,
    });
    expect(() => dlqArgs(['list', '--colour', 'red'])).toThrow(DlqUsageError);
    expect(() => dlqArgs(['list', '--service'])).toThrow('--service needs a value');
  });

  it('prints a page as a table, with where the next one starts', () => {
    const text = listTable({
      dead_letters: [
        letter(3),
        letter(11, {
          replayed: true,
          replays: [{ attempt: 1 } as never, { attempt: 2 } as never],
          error: 'x'.repeat(100),
        }),
      ],
      next_after: 11,
      scanned: 2,
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^SEQ +DEAD-LETTERED +SERVICE +REASON +TENANT +ORIGINAL +DELIVERIES +REPLAYED +ERROR$/,
    );
    expect(lines[1]).toMatch(
      /^3 +2026-05-01 10:00:00Z +order-analysis +retries_exhausted +acme +records\.received\.acme\.exception \(RECORDS #12\) +3 +no +Error: analysis/,
    );
    expect(lines[2]).toMatch(/ yes \(2x\) +x{79}…$/);
    expect(lines[3]).toBe('2 dead letter(s); more: --after 11');
    expect(listTable({ dead_letters: [], next_after: null, scanned: 0 })).toBe(
      'no dead letters match',
    );
  });

  it('lines columns up', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['long', 'x'],
          ['s', 'y'],
        ],
      ),
    ).toBe('A     BB\nlong  x\ns     y');
  });

  it('says what a purge removed, or would', () => {
    expect(purgeText({ dry_run: true, seqs: [4, 5], purged: 2 })).toBe(
      'would purge 2 dead letter(s): 4, 5',
    );
    expect(purgeText({ dry_run: false, seqs: [], purged: 0 })).toBe('purged no dead letters');
  });

  it('names the flag of a bad field, and refuses what it does not know', async () => {
    const deadLetters = {
      purge: () =>
        Promise.reject(
          new ProblemException(
            problemFor(400, 'all: name at least one filter', {
              errors: [{ path: 'all', message: 'name at least one filter' }],
            }),
          ),
        ),
    } as unknown as ManageDeadLettersUseCase;
    await expect(runDlqCommand(['purge'], deadLetters, 'cli:test')).rejects.toMatchObject({
      problem: { detail: '--all: name at least one filter' },
    });
    await expect(runDlqCommand(['drop'], deadLetters, 'cli:test')).rejects.toThrow(DlqUsageError);
    await expect(runDlqCommand(['show', '1', '--force'], deadLetters, 'cli:test')).rejects.toThrow(
      DlqUsageError,
    );
  });
});
