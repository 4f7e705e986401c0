// The OpenAPI 3 document, generated from the same zod schemas the routes parse with.
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { errorResponse, z } from './schemas/common';
import { caseState, createCaseBody, createdCase } from './schemas/cases';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const err = (description: string) => json(errorResponse, description);

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

export function buildOpenApiDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'post',
    path: '/cases',
    summary: 'Open a case: starts its care-pathway workflow and emails the patient an acknowledgement',
    request: {
      headers: z.object({
        'Idempotency-Key': z.string().optional().openapi({ description: 'Resending the same request with the same key never opens a second case (409).' }),
      }),
      body: { content: { 'application/json': { schema: createCaseBody } }, required: true },
    },
    responses: {
      201: json(createdCase, 'Case opened; Location points to it'),
      400: err('Invalid body or header: details lists each field error'),
      409: err('Same Idempotency-Key already used (details.reference names the case)'),
      413: err('Body too large'),
      415: err('Body is not JSON'),
      503: err('Workflow service unavailable; nothing was opened'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/cases/{reference}',
    summary: "The case's state, from its workflow: phase, who it waits on, timeline",
    request: { params: z.object({ reference: z.string().openapi({ example: 'INT-2026-000123' }) }) },
    responses: { 200: json(caseState, 'Current state'), 404: err('No such case'), 503: err('Workflow service unavailable') },
  });
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness and dependencies',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Database and Temporal reachable'), 503: err('A dependency is down') },
  });
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Parcours API', version: '0.1.0', description: 'International-patient care pathway: cases run as durable Temporal workflows.' },
  });
}
