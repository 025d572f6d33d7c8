import { RequestMethod } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { AUTH_KIND } from '../tenancy/auth.decorators';

export interface PlainRoute<M> {
  /** `POST /api/v1/search` */
  id: string;
  meta: M;
  className: string;
  handlerName: string;
  statusCode: number;
}

/**
 * GET and POST handlers carrying `metadataKey` whose whole pipeline is the global one and `interceptor`:
 * tenant routes under the global guards and rate limit only (no route-level guards, pipes, other
 * interceptors, throttle settings or versions). A hook before Nest's router can answer them without skipping
 * a step. `skipped` hears of the handlers with the metadata that do not qualify.
 */
export function plainRoutes<M>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  input: { metadataKey: string; interceptor: unknown; skipped?: (name: string) => void },
): PlainRoute<M>[] {
  const routes: PlainRoute<M>[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!controller || !instance) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as (...args: never[]) => unknown;
      const meta = Reflect.getMetadata(input.metadataKey, handler) as M | undefined;
      if (!meta) continue;
      const path = routePath(controller, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const verb = method === RequestMethod.GET ? 'GET' : method === RequestMethod.POST ? 'POST' : undefined;
      if (!path || !verb || !onlyGlobalPipeline(controller, handler, input.interceptor)) {
        input.skipped?.(`${controller.name}.${name}`);
        continue;
      }
      const statusCode =
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (verb === 'POST' ? 201 : 200);
      routes.push({ id: `${verb} ${path}`, meta, className: controller.name, handlerName: name, statusCode });
    }
  }
  return routes;
}

function routePath(controller: object, handler: object): string | undefined {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as unknown;
  const own = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
  if (typeof base !== 'string' || typeof own !== 'string') return undefined;
  const parts = [base, own].map((part) => part.replace(/^\/+|\/+$/g, '')).filter((part) => part.length > 0);
  return `/${parts.join('/')}`;
}

function onlyGlobalPipeline(controller: object, handler: object, interceptor: unknown): boolean {
  const targets = [controller, handler];
  const none = (key: string) =>
    targets.every(
      (target) => ((Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []).length === 0,
    );
  const interceptors = targets.flatMap(
    (target) => (Reflect.getMetadata(INTERCEPTORS_METADATA, target) as unknown[] | undefined) ?? [],
  );
  const throttleSettings = targets.some((target) =>
    Reflect.getMetadataKeys(target).some((key) => typeof key === 'string' && key.startsWith('THROTTLER:')),
  );
  const auth = targets.map((target) => Reflect.getMetadata(AUTH_KIND, target) as string | undefined);
  return (
    none(GUARDS_METADATA) &&
    none(PIPES_METADATA) &&
    interceptors.length === 1 &&
    interceptors[0] === interceptor &&
    !throttleSettings &&
    targets.every((target) => Reflect.getMetadata(VERSION_METADATA, target) === undefined) &&
    auth.every((kind) => kind === undefined || kind === 'tenant')
  );
}
