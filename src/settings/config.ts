// The validated configuration, read once at start-up: .env (if any), then process.env.
// A bad value stops start-up with one line naming the variable and exit code 2. Values are never
// printed, because some of them are secrets.
import dotenv from 'dotenv';
import { ConfigError, ENV_VARIABLES, parseEnv, type AppConfig } from './env.ts';

function loadConfigOrExit(): AppConfig {
  // quiet: dotenv 17 otherwise prints a banner on every start.
  dotenv.config({ quiet: true });
  // An empty value means "the default", for our code and for the dependencies that read the same
  // variables themselves (@ai-sdk/openai throws on an empty OPENAI_BASE_URL): unset them.
  for (const name of ENV_VARIABLES) if (process.env[name] === '') delete process.env[name];
  try {
    return parseEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

export const config: AppConfig = loadConfigOrExit();
