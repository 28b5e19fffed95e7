// The scripts as the hints name them, in the form of the package manager that runs the process.
import { describe, expect, it } from 'vitest';
import { scriptCommand } from '../src/settings/script-command.ts';

describe('scriptCommand', () => {
  it.each([
    ['npm/11.6.2 node/v24.21.0 linux x64', 'npm run dev', 'npm start', 'npm run chat -- --message "hi"'],
    ['', 'npm run dev', 'npm start', 'npm run chat -- --message "hi"'],
    ['pnpm/12.21.0 npm/? node/v24.21.0 linux x64', 'pnpm run dev', 'pnpm run start', 'pnpm run chat -- --message "hi"'],
    ['yarn/1.22.22 npm/? node/v24.21.0 linux x64', 'yarn dev', 'yarn start', 'yarn chat --message "hi"'],
    ['bun/1.4.0 npm/? node/v24.21.0 linux x64', 'bun run dev', 'bun run start', 'bun run chat -- --message "hi"'],
    ['something/1.0', 'npm run dev', 'npm start', 'npm run chat -- --message "hi"'],
  ])('under "%s"', (userAgent, dev, start, chat) => {
    expect(scriptCommand('dev', '', userAgent)).toBe(dev);
    expect(scriptCommand('start', '', userAgent)).toBe(start);
    expect(scriptCommand('chat', '--message "hi"', userAgent)).toBe(chat);
  });
});
