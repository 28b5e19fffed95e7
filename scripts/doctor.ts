// npm run doctor: the doctor (src/cli/doctor.ts) on this product's agents and workflows (src/project.ts).
import { runDoctor } from '../src/cli/doctor.ts';

await runDoctor(() => import('../src/project.ts').then((module) => module.project));
