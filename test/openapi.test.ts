// The OpenAPI document: generated from the routes, committed as docs/openapi.json, served at /docs.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildOpenApiDocument } from '../api/openapi';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

type Paths = Record<string, Record<string, unknown>>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

it('docs/openapi.json is the document the routes generate (run `npm run openapi` after changing a route)', () => {
  const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'docs', 'openapi.json'), 'utf8')) as unknown;
  expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(stack.routes))));
});

it('documents every mounted route, and every documented operation is mounted', async () => {
  const doc = (await request(stack.app).get('/openapi.json')).body as { paths: Paths };
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => METHODS.filter((m) => m in ops).map((m) => `${m.toUpperCase()} ${p}`));
  const mounted = stack.routes.operations.map((op) => `${op.method.toUpperCase()} ${op.path.replace(/:(\w+)/g, '{$1}')}`);
  expect(documented.sort()).toEqual(mounted.sort());

  // Each documented operation answers with something other than "no such route".
  for (const op of stack.routes.operations) {
    const url = op.path.replace(/:reference/g, 'INT-2026-000001').replace(/:(\w+)/g, '00000000-0000-0000-0000-000000000000');
    const res = await request(stack.app)[op.method](url);
    expect({ op: `${op.method} ${op.path}`, message: String(res.body?.error?.message ?? '') }).not.toEqual({ op: `${op.method} ${op.path}`, message: expect.stringMatching(/^No route for/) });
  }
  const unknown = await request(stack.app).get('/cases/INT-2026-000001/nothing-here');
  expect(unknown.body.error.message).toMatch(/^No route for/);
});

it('serves the interactive documentation page', async () => {
  const res = await request(stack.app).get('/docs/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('swagger-ui');
});
