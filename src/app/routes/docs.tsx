import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDependencies } from '../dependencies';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi';
import { NoQuery, parseQuery } from '../validation';
import { ApiDocs } from '../views/api-docs';

/** GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same document as a page). */
export function docsRoutes(deps: AppDependencies): Hono {
  const docs = new Hono();
  // Built on first use, once per app: it depends only on the code and the version.
  let document: OpenApiDocument | undefined;
  const openApi = (): OpenApiDocument => {
    document ??= buildOpenApiDocument(deps.appVersion);
    return document;
  };

  docs.get('/openapi.json', (c) => {
    parseQuery(c, NoQuery);
    return c.json(openApi());
  });

  docs.get('/docs', (c) => {
    parseQuery(c, NoQuery);
    return c.html(html`<!doctype html>${<ApiDocs document={openApi()} styleNonce={c.get('secureHeadersNonce')} />}`);
  });

  return docs;
}
