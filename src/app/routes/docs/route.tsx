import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDependencies } from '../../dependencies';
import { newStyleNonce } from '../../middleware/response-headers';
import { buildOpenApiDocument, type OpenApiDocument } from '../../openapi/document';
import { NoQuery, parseQuery } from '../../query';
import { html as htmlResponse, json } from '../../respond';
import { OPERATIONS, RESPONSE_SCHEMAS, SHARED_RESPONSES } from '../operations';
import { ApiDocs } from './api-docs';

/** GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same document as a page). */
export function docsRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();
  // Built on first use, once per app: it depends only on the code and the version.
  let document: OpenApiDocument | undefined;
  const openApi = (): OpenApiDocument => {
    document ??= buildOpenApiDocument({
      appVersion: deps.instance.appVersion,
      operations: OPERATIONS,
      schemas: RESPONSE_SCHEMAS,
      sharedResponses: SHARED_RESPONSES,
    });
    return document;
  };

  routes.get('/openapi.json', (c) => {
    parseQuery(c, NoQuery);
    return json(c, openApi());
  });

  routes.get('/docs', async (c) => {
    parseQuery(c, NoQuery);
    const styleNonce = newStyleNonce();
    const page = await html`<!doctype html>${<ApiDocs document={openApi()} styleNonce={styleNonce} />}`;
    return htmlResponse(c, String(page), { styleNonce });
  });

  return routes;
}
