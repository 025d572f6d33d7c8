import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from '../app.module';
import { registerAccessLog } from '../common/logging/access-log.hook';
import { registerRequestContext } from '../common/logging/request-context';
import { createRootLogger } from '../common/logging/root-logger';
import { AppConfig } from '../config/config';
import { AdminKeyService } from '../modules/auth/admin-key.service';
import { BULL_BOARD_ROUTE } from '../modules/jobs/jobs';

const BODILESS_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  /** Where the JSON log lines go instead of stdout (tests capture them). */
  logDestination?: DestinationStream;
}

/** Builds the Nest application on Fastify for the configured role; used by main.ts and the e2e tests. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = createRootLogger(config, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.app.bodyLimitBytes,
    trustProxy: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
    // Accept a caller's request id (so traces join up across services) or mint one.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      req.headers['x-request-id'] = id;
      return id;
    },
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, logger), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));

  const fastify = app.getHttpAdapter().getInstance();
  // First of the hooks: every line logged while a request is served carries its id.
  registerRequestContext(fastify);
  // Many HTTP clients send `content-type: application/json` on a bodiless DELETE; Fastify's JSON parser
  // answers that with 400 "Body cannot be empty". No body there is no body; anything else parses as before.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: config.app.bodyLimitBytes }, (request, body, done) => {
    if (body.length === 0 && BODILESS_METHODS.has(request.method)) done(null, undefined);
    else parseJson(request, body.toString('utf8'), done);
  });
  registerAccessLog(fastify, logger, { successMinMs: config.app.logSuccessMinMs });
  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // Bull Board is a Fastify plugin outside Nest's guards: the admin key protects it here, as Bearer, X-API-Key
  // or HTTP Basic (any user name, the admin key as password) so a browser can open it.
  const adminKey = app.get(AdminKeyService);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (
      !request.url.startsWith(BULL_BOARD_ROUTE) ||
      adminKey.matches(presentedAdminKey(request.headers) ?? '')
    ) {
      done();
      return;
    }
    // Answered here: the hook chain stops without done().
    void reply.status(401).header('www-authenticate', 'Basic realm="Support Copilot admin"').send({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'the admin key is required',
      request_id: request.id,
    });
  });

  if (config.app.role !== 'worker' && config.app.swaggerEnabled) setupSwagger(app);
  return app;
}

export function setupSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Support Copilot API')
      .setDescription(
        'AI copilot for helpdesk agents: ticket summaries, similar tickets, related articles, grounded answers and ' +
          'reply drafts, per company. Authorize with a company API key (Bearer or X-API-Key); admin routes need ' +
          'the admin key. Errors share one shape: { statusCode, error, message, request_id }.',
      )
      .setVersion('1')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'company API key or admin key' },
        'bearer',
      )
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

function presentedAdminKey(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(auth);
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':').slice(1).join(':');
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}
