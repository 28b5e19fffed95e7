// A setup file (vitest.config.ts): after each test file, the folders it made with newWorkDir() are removed.
// Registered before the file's own hooks, this afterAll runs after them, once its processes are stopped.
import { afterAll } from 'vitest';
import { removeWorkDirs } from './run-script.ts';

afterAll(removeWorkDirs);
