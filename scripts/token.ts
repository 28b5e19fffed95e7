// npm run token -- <user id> [hours]: a JWT for that user, signed with MASTRA_JWT_SECRET, for curl,
// @mastra/client-js or Studio, with the claims the server requires (sub, exp; HS256). Your app mints
// its users' tokens the same way (see docs/server.md).
import jwt from 'jsonwebtoken';
import { JWT_ALGORITHM } from '../src/mastra/server/auth.ts';
import { ID_RULE, isValidId } from '../src/settings/ids.ts';
import { scriptCommand } from '../src/settings/script-command.ts';

const [userId, hours = '8'] = process.argv.slice(2);
const fail = (message: string): never => {
  process.stderr.write(`${message}\nUsage: ${scriptCommand('token', '<user id> [hours, default 8]')}\n`);
  process.exit(2);
};
if (!userId || !isValidId(userId)) fail(`Give the user id: ${ID_RULE}.`);
if (!/^\d+(\.\d+)?$/.test(hours) || Number(hours) <= 0) fail('hours must be a positive number.');
const config = (await import('../src/settings/config.ts')).loadConfigOrExit(); // exits 2 with one line on a bad MASTRA_JWT_SECRET
if (!config.jwtSecret) fail('MASTRA_JWT_SECRET is not set: the server runs without auth, and needs no token.');
if (Number(hours) > config.jwtMaxHours)
  fail(`hours must be at most ${config.jwtMaxHours}: the server refuses longer-lived tokens (MASTRA_JWT_MAX_HOURS).`);
process.stdout.write(
  `${jwt.sign({ sub: userId }, config.jwtSecret!, { algorithm: JWT_ALGORITHM, expiresIn: Math.round(Number(hours) * 3600) })}\n`,
);
