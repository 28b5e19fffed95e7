// One libsql database holds conversation memory and the local traces Mastra Studio shows.
// The default is a local file; MASTRA_STORAGE_URL points every instance of a deployment at a shared
// libsql/Turso database instead, so a conversation can continue on any machine.
import { LibSQLStore } from '@mastra/libsql';
import { config } from '../config.ts';

export const storage = new LibSQLStore({
  id: 'mastra-storage',
  url: config.storageUrl,
  ...(config.storageAuthToken ? { authToken: config.storageAuthToken } : {}),
});
