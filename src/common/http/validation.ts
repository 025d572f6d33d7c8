import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { inspectInput } from './input-guard';

/**
 * Flattens class-validator's error tree into messages that name each failing field by its full path,
 * e.g. `tickets[3].status must be one of: open, pending, resolved, closed`.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      if (constraint === 'whitelistValidation') out.push(`${path} is not an allowed field`);
      else out.push(replaceLeadingProperty(message, error.property, path));
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function replaceLeadingProperty(message: string, property: string, path: string): string {
  const each = `each value in ${property} `;
  if (message.startsWith(each)) return `${path}[*] ${message.slice(each.length)}`;
  const rest = message.slice(property.length);
  return message.startsWith(property) && /^[ [.]/.test(rest) ? `${path}${rest}` : `${path}: ${message}`;
}

/** class-validator behind a guard against input it mishandles (see inspectInput). */
class GuardedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problems = inspectInput(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (problems.length > 0) throw AppError.invalid(problems);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new GuardedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.invalid(flattenValidationErrors(errors)),
  });
}
