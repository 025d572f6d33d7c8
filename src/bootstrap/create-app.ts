import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the Nest application on Fastify for the configured role; used by main.ts and the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
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
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'company API key or admin key' }, 'bearer')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
