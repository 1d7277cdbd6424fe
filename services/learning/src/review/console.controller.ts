import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators, Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { StaticPage } from '@refinery/runtime';

const TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;
type ConsoleFile = keyof typeof TYPES;

/** The page loads only its own script and style and calls only this service. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const Serves = (path: string, file: ConsoleFile, summary: string) =>
  applyDecorators(
    Get(path),
    StaticPage(),
    ApiOperation({ summary }),
    ApiProduces(TYPES[file].split(';')[0]),
    Header('Content-Type', TYPES[file]),
    Header('Content-Security-Policy', CSP),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Referrer-Policy', 'no-referrer'),
    Header('Cache-Control', 'no-cache'),
  );

/**
 * The review console: one page, its script and its style, open without a key because they hold
 * no data; the page asks for the key and sends it with each API call.
 */
@ApiTags('console')
@Controller('console')
export class ConsoleController {
  // Read at start: a build that left a file out fails then, not on a reviewer's first visit.
  private readonly files = new Map(
    (Object.keys(TYPES) as ConsoleFile[]).map((name) => [
      name,
      readFileSync(join(__dirname, 'console', name), 'utf8'),
    ]),
  );

  @Serves(
    '',
    'index.html',
    'The review console, a web page (sign in with a key with the review scope)',
  )
  page() {
    return this.files.get('index.html');
  }

  @Serves('console.js', 'console.js', "The review console's script")
  script() {
    return this.files.get('console.js');
  }

  @Serves('console.css', 'console.css', "The review console's style")
  style() {
    return this.files.get('console.css');
  }
}
