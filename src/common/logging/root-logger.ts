import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { currentRequestId } from './request-context';

/** Never written to a log line: the company API key and the admin key travel in these headers. */
const REDACTED = ['req.headers.authorization', 'req.headers["x-api-key"]'];

/**
 * The application's one pino logger: Nest's logs (through nestjs-pino) and the access lines go to it. JSON
 * on stdout; LOG_PRETTY=true prints human-readable lines through pino-pretty (development); `destination`
 * (tests) captures the JSON lines instead.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options = {
    level: config.app.logLevel,
    redact: REDACTED,
    // Inside a request, every line carries its id (the access line sets the same value itself).
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { request_id: requestId };
    },
  };
  if (destination) return pino(options, destination);
  if (config.app.logPretty)
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  return pino(options);
}
