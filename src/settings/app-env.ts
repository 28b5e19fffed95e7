// Your product's own environment variables: declare each one in APP_VARIABLES, and it is validated at
// start-up with the template's (one line naming the variable, exit 2), listed by `npm run doctor`, kept
// out of logs and traces if secret, passed to the chat and servers the tests start, and given to every
// agent's factory as `settings` (src/agents/index.ts). Document each one in .env.example.
//
// Example, for a tool that calls a weather API:
//   { name: 'WEATHER_API_URL', rule: 'url', default: 'https://weather.example.com/v1/current', fix: 'e.g. https://api.example.com/weather' },
//   { name: 'WEATHER_API_KEY', rule: 'token', secret: true, fix: 'paste the key from your weather provider' },
// Then `settings.WEATHER_API_URL` is a string (it has a default), `settings.WEATHER_API_KEY` a string or undefined.
import type { RuleName } from './env.ts';

export interface AppVariable {
  name: string;
  /** How a value is checked (env.ts's RULES): 'url' (http/https), 'token' (no spaces), 'text', 'integer'. */
  rule: RuleName;
  /** Used when the variable is unset or empty; without one, the setting is undefined. */
  default?: string;
  /** Never printed, logged or exported: the doctor masks it, logs and spans redact it. */
  secret?: boolean;
  /** Said after a bad value: "Invalid NAME: <problem>; <fix>." */
  fix: string;
}

export const APP_VARIABLES = [
  // Your variables here (see the example above).
] as const satisfies readonly AppVariable[];

type Declared = (typeof APP_VARIABLES)[number];
/** The product's settings by name: a string where the variable has a default, else string | undefined. */
export type AppSettings = { [V in Declared as V['name']]: V extends { default: string } ? string : string | undefined };

/** The declared variables' names: what the test helpers pass on to the processes they start. */
export const appVariableNames = (variables: readonly AppVariable[] = APP_VARIABLES) => variables.map((variable) => variable.name);
