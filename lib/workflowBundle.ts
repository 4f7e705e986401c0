// How the care workflows are bundled, in one place: the worker, the tests, the bench and the ops
// replayers run the same bundle, so a replay judges the code that ran.
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './payloadCrypto';

/** The workflow code's entry (workflows/index): its TypeScript under ts-jest, its build under dist/. */
export const CARE_WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules evaluated once per worker and shared by every workflow it caches, instead of once per
 * workflow. Without this, each cached case held its own copy of every Parcours workflow module and
 * the rules it imports: 220 KB per case after its first task, 132 KB with them shared (bench/README.md).
 *
 * Safe because those modules keep no state of their own: no module-level `let`, no cache, no call to a
 * workflow API at load. The SDK deep-freezes shared modules, so code that wrote into one of their
 * constants would fail its workflow task at once (every test runs this bundle) rather than leak from
 * one case to another.
 */
export const preloadedModules = (workflowsPath: string): string[] => [workflowsPath];

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m) };

/** Bundles the care workflows (seconds of webpack): `workflowInterceptorModules` for tests and ops tools. */
export async function bundleCareWorkflows(opts: Pick<BundleOptions, 'workflowInterceptorModules' | 'logger'> & { workflowsPath?: string } = {}): Promise<string> {
  const workflowsPath = opts.workflowsPath ?? CARE_WORKFLOWS_PATH;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    preloadModules: preloadedModules(workflowsPath),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: opts.workflowInterceptorModules,
    logger: opts.logger ?? quietLogger,
  });
  return code;
}
