// The OpenAPI 3 document, generated from the routes' own declarations and zod schemas.
import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { ApiRoutes } from './routing';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

export function buildOpenApiDocument(routes: ApiRoutes): OpenApiDocument {
  return new OpenApiGeneratorV3(routes.registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Parcours API',
      version: '0.2.0',
      description:
        'International-patient care pathway: each case runs as a durable Temporal workflow. Sign in with /auth/login and send `Authorization: Bearer <accessToken>`. ' +
        'Errors always have the shape `{ error: { code, message, details, requestId } }`. ' +
        'Send `Accept-Language: fr` or `en`: error messages, field errors, `waitingFor` and timeline summaries come in that language (English otherwise), and `Content-Language` says which; codes are the same in both.',
    },
  });
}
