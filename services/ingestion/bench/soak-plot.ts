/**
 * The soak bench's picture: RSS per service and latency over time, two panels of one SVG,
 * screenshot to PNG by Debian's Chromium (no new dependency); the samples as CSV beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHROMIUM, hasChromium, launchChromium } from '@refinery/testing';

/** One interval of the run: what completed in it, and each process group's RSS at its end. */
export interface SoakSample {
  /** Seconds since the traffic started, at the interval's end. */
  t_s: number;
  phase: 'warm-up' | 'soak';
  /** Events (records and track calls) ingestion accepted in the interval, per second. */
  accepted_per_s: number;
  /** Records that completed enrichment in the interval, per second. */
  completed_per_s: number;
  /** Of the records completed in the interval; null when none did. */
  p50_ms: number | null;
  p99_ms: number | null;
  /** Per service, its replicas summed, in MB. */
  rss_mb: Record<string, number>;
  nats_server_rss_mb: number;
}

export interface SoakPlot {
  /** The PNG's path; the SVG and the CSV take its name with their own extensions. */
  path: string;
  title: string;
  subtitle: string;
  samples: SoakSample[];
  services: string[];
  warmupS: number;
}

const W = 1200;
const H = 800;
const LEFT = 80;
const RIGHT = W - 230;
// Tableau 10: eight services stay apart.
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
const MORE_COLORS = ['#ff9da7', '#9c755f', '#bab0ac'];

/** Writes <path>.png (unless Chromium is missing), .svg and .csv; returns the files written. */
export async function writeSoakPlot(plot: SoakPlot): Promise<string[]> {
  mkdirSync(dirname(plot.path), { recursive: true });
  const base = plot.path.replace(/\.png$/, '');
  const svg = soakSvg(plot);
  const files = [`${base}.svg`, `${base}.csv`];
  writeFileSync(files[0], svg);
  writeFileSync(files[1], soakCsv(plot.samples, plot.services));
  if (!hasChromium()) {
    console.error(`[bench] ${CHROMIUM} is missing (deploy/local/ensure-chromium.sh): no PNG`);
    return files;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: `${base}.png` });
  } finally {
    await browser.close();
  }
  return [`${base}.png`, ...files];
}

export function soakCsv(samples: SoakSample[], services: string[]): string {
  const header = [
    't_min',
    'phase',
    'accepted_per_s',
    'completed_per_s',
    'p50_ms',
    'p99_ms',
    ...services.map((s) => `${s}_rss_mb`),
    'nats_server_rss_mb',
  ];
  const rows = samples.map((s) =>
    [
      (s.t_s / 60).toFixed(2),
      s.phase,
      s.accepted_per_s,
      s.completed_per_s,
      s.p50_ms ?? '',
      s.p99_ms ?? '',
      ...services.map((name) => s.rss_mb[name]),
      s.nats_server_rss_mb,
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** A step of 1, 2 or 5 times a power of ten, giving about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = Math.max(max, 1e-9) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(1));

interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  values: (number | null)[];
}

/** One panel: axes, grid, the warm-up shaded, a line per series (broken where null). */
function panel(
  top: number,
  height: number,
  title: string,
  times: number[],
  warmupMin: number,
  series: Series[],
): string {
  const maxT = Math.max(...times, 1e-9);
  const xStep = niceStep(maxT, 10);
  const maxY = Math.max(1, ...series.flatMap((s) => s.values.filter((v) => v !== null)));
  const yStep = niceStep(maxY * 1.1, 5);
  const yMax = Math.ceil((maxY * 1.1) / yStep) * yStep;
  const x = (t: number) => LEFT + (t / maxT) * (RIGHT - LEFT);
  const y = (v: number) => top + height - (v / yMax) * height;
  const out: string[] = [];
  out.push(
    `<text x="${LEFT}" y="${top - 12}" font-size="15" font-weight="bold">${esc(title)}</text>`,
  );
  if (warmupMin > 0) {
    const w = x(Math.min(warmupMin, maxT)) - LEFT;
    out.push(
      `<rect x="${LEFT}" y="${top}" width="${w}" height="${height}" fill="#efefef"/>`,
      `<text x="${LEFT + 6}" y="${top + 16}" font-size="12" fill="#777">warm-up</text>`,
    );
  }
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    out.push(
      `<line x1="${LEFT}" x2="${RIGHT}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (let t = 0; t <= maxT + xStep / 1000; t += xStep) {
    out.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${top + height}" y2="${top + height + 5}" stroke="#333"/>`,
      `<text x="${x(t)}" y="${top + height + 20}" font-size="12" text-anchor="middle">${fmt(Math.round(t * 100) / 100)}</text>`,
    );
  }
  out.push(
    `<rect x="${LEFT}" y="${top}" width="${RIGHT - LEFT}" height="${height}" fill="none" stroke="#333"/>`,
  );
  for (const s of series) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    // Single points (a run of one interval) show as dots.
    if (s.values.filter((v) => v !== null).length === 1)
      s.values.forEach(
        (v, i) =>
          v !== null &&
          out.push(`<circle cx="${x(times[i])}" cy="${y(v)}" r="3" fill="${s.color}"/>`),
      );
  }
  series.forEach((s, i) => {
    const ly = top + 10 + i * 22;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<line x1="${RIGHT + 20}" x2="${RIGHT + 50}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"${dash}/>`,
      `<text x="${RIGHT + 58}" y="${ly + 4}" font-size="13">${esc(s.name)}</text>`,
    );
  });
  return out.join('\n');
}

export function soakSvg(plot: SoakPlot): string {
  const times = plot.samples.map((s) => s.t_s / 60);
  const warmupMin = plot.warmupS / 60;
  const colors = [...COLORS, ...MORE_COLORS];
  const rss = plot.services.map((name, i) => ({
    name,
    color: colors[i % colors.length],
    values: plot.samples.map((s) => s.rss_mb[name] ?? null),
  }));
  const latency: Series[] = [
    { name: 'p99', color: '#d62728', values: plot.samples.map((s) => s.p99_ms) },
    { name: 'p50', color: '#1f77b4', dashed: true, values: plot.samples.map((s) => s.p50_ms) },
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${LEFT}" y="30" font-size="19" font-weight="bold">${esc(plot.title)}</text>`,
    `<text x="${LEFT}" y="52" font-size="13" fill="#444">${esc(plot.subtitle)}</text>`,
    panel(100, 300, 'RSS per service (MB, VmRSS, replicas summed)', times, warmupMin, rss),
    panel(
      465,
      255,
      'Latency, accepted to enrichment.completed (ms), per interval',
      times,
      warmupMin,
      latency,
    ),
    `<text x="${(LEFT + RIGHT) / 2}" y="${H - 20}" font-size="13" text-anchor="middle">minutes since the traffic started</text>`,
    '</svg>',
  ].join('\n');
}
