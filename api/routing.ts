// Routes are declared once: the same declaration mounts the Express handler and registers the
// OpenAPI operation, so the document cannot drift from the routes.
import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type RequestHandler } from 'express';
import type { Action } from './policy';
import { errorResponse, type z } from './schemas/common';

export type Access = 'public' | 'signed_in' | 'webhook';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. `/cases/:reference`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /**
   * The policy action a signed-in operation enforces (`self` for the caller's own account). The
   * authorization tests read it to check every route against api/policy.ts.
   */
  action?: Action | 'self';
  request?: RouteConfig['request'];
  responses: RouteConfig['responses'];
  /** Runs before the handler (rate limits, uploads). */
  before?: RequestHandler[];
  handler: RequestHandler;
}

const errorStatus: Record<number, string> = {
  400: 'Invalid input: details lists each problem',
  401: 'Not signed in, or the token is invalid or expired',
  403: 'Signed in, but this role may not do this',
  404: 'Not found (or not yours)',
  429: 'Too many requests: retry later',
  503: 'A dependency is unavailable; nothing was changed',
};

/** An OpenAPI JSON response or request body, for route declarations. */
export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } }, required: true } });

export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export class ApiRoutes {
  readonly registry = new OpenAPIRegistry();
  readonly router = Router();
  readonly operations: Operation[] = [];

  /**
   * `around` runs each handler inside it: the app gives every request's Temporal calls one deadline
   * there (so nothing a person waits on can hang on a blocked or unreachable case).
   */
  constructor(private readonly options: { around?: <T>(fn: () => Promise<T>) => Promise<T> } = {}) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }

  add(op: Operation): void {
    const defaults: number[] = [400, 404, 503, ...(op.access === 'signed_in' ? [401, 403] : []), ...(op.before?.length ? [429] : [])];
    const responses: RouteConfig['responses'] = { ...op.responses };
    for (const status of defaults) {
      responses[status] ??= { description: errorStatus[status], content: { 'application/json': { schema: errorResponse } } };
    }
    this.registry.registerPath({
      method: op.method,
      path: toOpenApiPath(op.path),
      summary: op.summary,
      tags: [op.tag],
      security: op.access === 'signed_in' ? [{ bearerAuth: [] }] : undefined,
      request: op.request,
      responses,
    });
    const around = this.options.around;
    const handler: RequestHandler = around ? (req, res, next) => around(() => Promise.resolve(op.handler(req, res, next))) : op.handler;
    this.router[op.method](op.path, ...(op.before ?? []), handler);
    this.operations.push(op);
  }
}
