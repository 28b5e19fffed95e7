// Exports each agent request's spans as soon as it is answered, in the background. A server that is
// stopped, scaled down or frozen (serverless) right after answering then loses nothing, and nothing
// is left buffered when Mastra shuts down (it closes storage before the storage exporter drains).
import type { Middleware } from '@mastra/core/server';

export const flushPerRequest: Middleware = {
  path: '/api/agents/*',
  handler: async (c, next) => {
    await next();
    // Not awaited: the response is not held back by the export.
    void c
      .get('mastra')
      .observability?.flush()
      .catch(() => {});
  },
};
