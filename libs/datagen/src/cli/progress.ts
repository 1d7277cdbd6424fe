import type { EventPublisher } from '../publish/publisher';

const WIDTH = 30;

/** A one-line progress bar on a terminal; silent when stderr is a file or a pipe. */
export function progressBar(stream: NodeJS.WriteStream, publisher?: EventPublisher) {
  const started = Date.now();
  let last = 0;
  const tty = stream.isTTY === true;
  return {
    update: (rows: number, total: number) => {
      const now = Date.now();
      if (!tty || now - last < 200) return;
      last = now;
      const done = Math.min(1, rows / total);
      const filled = Math.round(done * WIDTH);
      const perSecond = Math.round(rows / Math.max(0.001, (now - started) / 1000));
      const counts = publisher?.counts?.();
      const sent = counts
        ? ` · sent ${counts.sent.toLocaleString('en')}, accepted ${counts.accepted.toLocaleString('en')}`
        : '';
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ` +
          `${rows.toLocaleString('en')} rows · ${perSecond.toLocaleString('en')}/s${sent}\x1b[K`,
      );
    },
    done: () => {
      if (tty) stream.write('\n');
    },
  };
}
