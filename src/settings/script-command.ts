// The project's scripts as the hints the chat and the server print name them: in the form of the package
// manager that started this process (npm, pnpm, yarn and bun set npm_config_user_agent for their
// scripts), else npm's. docs/package-managers.md lists the same forms.

/** E.g. `npm run chat -- --message "hello"`; `pnpm run chat -- ...` under pnpm, `yarn chat ...` under yarn. */
export function scriptCommand(script: string, args = '', userAgent = process.env.npm_config_user_agent ?? ''): string {
  const manager = /^(pnpm|yarn|bun)\//.exec(userAgent)?.[1] ?? 'npm';
  if (manager === 'yarn') return `yarn ${script}${args && ` ${args}`}`;
  const run = manager === 'npm' && ['start', 'test'].includes(script) ? `npm ${script}` : `${manager} run ${script}`;
  return `${run}${args && ` -- ${args}`}`;
}
