// The environment of a process a test starts (the chat, the doctor, a server): PATH and HOME, no Mastra
// telemetry, and the product's own variables (src/settings/app-env.ts) as this test run has them, so a
// fork's WEATHER_API_URL reaches what it tests; nothing else of the developer's environment. The
// test's own values come last and win.
import { appVariableNames } from '../../src/settings/app-env.ts';

export function childEnv(
  env: Record<string, string> = {},
  { home = process.env.HOME ?? '', names = appVariableNames() } = {},
): Record<string, string> {
  const declared = Object.fromEntries(names.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]!]] : [])));
  return { PATH: process.env.PATH ?? '', HOME: home, MASTRA_TELEMETRY_DISABLED: '1', ...declared, ...env };
}
