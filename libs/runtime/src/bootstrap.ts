import { isUtf8 } from 'node:buffer';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createJetStreamServer } from '@refinery/messaging';
import { JsonLogger, LogLevelName } from '@refinery/observability';
import { Authenticator } from './auth/authenticator';
import { docsAuth } from './auth/docs-auth';
import { bodyParserErrors, ProblemDetailsFilter } from './http/problem-details.filter';

export interface ServiceOptions {
  name: string;
  module: DynamicModule;
  description: string;
  /** Largest JSON body accepted; larger ones get 413. */
  bodyLimit?: string;
  logLevel?: LogLevelName;
}

/** Builds a service: HTTP with problem+json errors and OpenAPI at /docs, plus its JetStream consumers. */
export async function createServiceApp(options: ServiceOptions): Promise<NestExpressApplication> {
  const logger = new JsonLogger({ service: options.name, level: options.logLevel });
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    logger,
    bodyParser: false,
  });
  app.useBodyParser('json', {
    limit: options.bodyLimit ?? '1mb',
    type: ['application/json', 'application/*+json'],
    // Refused as over NATS, instead of read with U+FFFD in place of the bad bytes.
    verify: (_req: unknown, _res: unknown, body: Buffer) => {
      if (!isUtf8(body))
        throw Object.assign(new Error('the request body is not valid UTF-8'), { status: 400 });
    },
  });
  app.use(bodyParserErrors);
  // These are APIs: hashing every response body for an ETag buys nothing.
  app.set('etag', false);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle(`Refinery ${options.name}`)
    .setDescription(options.description)
    .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
    .build();
  app.use(['/docs', '/docs-json', '/docs-yaml'], docsAuth(app.get(Authenticator)));
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));

  app.connectMicroservice({ strategy: createJetStreamServer(app) }, { inheritAppConfig: true });
  return app;
}

/**
 * Starts consumers, then HTTP on `host` (loopback unless the deployment says otherwise);
 * returns the bound port (0 asks for any free one).
 */
export async function startServiceApp(
  app: NestExpressApplication,
  port: number,
  host = '127.0.0.1',
): Promise<number> {
  await app.startAllMicroservices();
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address ? address.port : port;
}
