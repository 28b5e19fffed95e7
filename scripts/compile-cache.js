// Preloaded by `npm run chat` and `npm run doctor` (node --import, see package.json): turns on Node's
// compile cache before the first TypeScript file loads, so from the second run on every module's
// compiled code, and every .ts file's type-stripped text, comes from the cache (in the OS temp folder)
// and Node's TypeScript stripper is never loaded: quicker than turning it on in the script itself
// (BENCHMARKS.md).
// JavaScript, not TypeScript, for that reason: a .ts file here would load the stripper first.
import { enableCompileCache } from 'node:module';

enableCompileCache();
