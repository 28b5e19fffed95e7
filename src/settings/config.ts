// The validated configuration: .env (if any), then process.env. Read when an entry point asks for it
// (the server's src/mastra/index.ts, the chat, the doctor), never at import. Values are never printed,
// because some of them are secrets.
import dotenv from 'dotenv';
import { appVariableNames } from './app-env.ts';
import { ConfigError, ENV_VARIABLES, parseEnv, type AppConfig } from './env.ts';

/** Reads .env and the environment; throws ConfigError naming the first bad variable and its fix. */
export function loadConfig(): AppConfig {
  // quiet: dotenv 17 otherwise prints a banner on every start.
  dotenv.config({ quiet: true });
  // An empty value means "the default", for our code and for the dependencies that read the same
  // variables themselves (@ai-sdk/openai throws on an empty OPENAI_BASE_URL): unset them.
  for (const name of [...ENV_VARIABLES, ...appVariableNames()]) if (process.env[name] === '') delete process.env[name];
  return parseEnv();
}

/** For entry points: loadConfig(), or one line naming the bad variable on stderr and exit code 2. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
