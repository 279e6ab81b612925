// SAM's rules that the file alone decides (sam-subset.md §11 "FAIL"): Globals' forbidden keys, image functions,
// S3 or object CodeUri / ContentUri, runtimes pipe cannot run. Rules that need resolved values live in src/deploy.
import type { ProblemCollector } from './problems.js';
import { entry, joinPath } from './problems.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';

const GLOBALS_SECTIONS = ['Function', 'Api', 'HttpApi', 'SimpleTable', 'LayerVersion', 'StateMachine', 'CapacityProvider'];
const NOT_IN_GLOBALS = ['Role', 'Policies', 'FunctionName', 'Events'];

/** Runtime names pipe runs: node and python (deprecated ones warn, on the nearest image of the family). */
export function runtimeFamily(runtime: string): 'nodejs' | 'python' | 'provided' | undefined {
  if (/^nodejs\d+(\.\d+)?(\.x)?$/.test(runtime)) return 'nodejs';
  if (/^python\d\.\d+$/.test(runtime)) return 'python';
  // OS-only runtimes: the function's own bootstrap (in its code or a layer) runs against the Runtime API.
  if (/^provided(\.al2|\.al2023)?$/.test(runtime)) return 'provided';
  return undefined;
}

export function checkSamRules(root: YamlMapping, c: ProblemCollector): void {
  const globals = entry(root, 'Globals');
  if (globals?.kind === 'mapping') {
    c.checkKeys(globals, 'Globals', GLOBALS_SECTIONS);
    const fn = entry(globals, 'Function');
    if (fn?.kind === 'mapping') {
      for (const { key } of fn.entries) {
        if (NOT_IN_GLOBALS.includes(key.value)) c.add(key, joinPath('Globals.Function', key.value), `${key.value} cannot be set in Globals.Function (SAM refuses Role, Policies, FunctionName and Events there); set it on each function`);
      }
      checkFunctionProperties(fn, 'Globals.Function', c);
    }
  }
  const resources = entry(root, 'Resources');
  if (resources?.kind !== 'mapping') return;
  for (const { key, value } of resources.entries) {
    if (value.kind !== 'mapping') continue;
    const type = entry(value, 'Type');
    const props = entry(value, 'Properties');
    const path = joinPath(joinPath('Resources', key.value), 'Properties');
    if (type?.kind !== 'scalar') continue;
    if (type.value === 'AWS::Serverless::Function' && props?.kind === 'mapping') checkFunctionProperties(props, path, c);
    if (type.value === 'AWS::Serverless::LayerVersion' && props?.kind === 'mapping') checkCodeLocation(entry(props, 'ContentUri'), joinPath(path, 'ContentUri'), c);
  }
}

function checkFunctionProperties(props: YamlMapping, path: string, c: ProblemCollector): void {
  const pkg = entry(props, 'PackageType');
  if (pkg?.kind === 'scalar' && pkg.value === 'Image') c.add(pkg, joinPath(path, 'PackageType'), 'PackageType Image is not supported: the local registry runs zip functions (node and python runtimes)');
  const image = entry(props, 'ImageUri');
  if (image && pkg?.kind !== 'scalar') c.add(image, joinPath(path, 'ImageUri'), 'ImageUri (a container image function) is not supported: the local registry runs zip functions');
  checkCodeLocation(entry(props, 'CodeUri'), joinPath(path, 'CodeUri'), c);
  const runtime = entry(props, 'Runtime');
  if (runtime?.kind === 'scalar' && !runtime.isNull && runtimeFamily(runtime.value.trim()) === undefined) {
    c.add(runtime, joinPath(path, 'Runtime'), `runtime ${runtime.value} is not supported locally; pipe runs nodejs*, python3.* and provided.* functions`);
  }
}

function checkCodeLocation(node: YamlNode | undefined, path: string, c: ProblemCollector): void {
  if (!node) return;
  if (node.kind === 'mapping' && !node.entries.some((e) => e.key.value === 'Ref' || e.key.value.startsWith('Fn::'))) {
    c.add(node, path, 'an S3 object location (Bucket/Key) is not supported locally; give a folder or .zip inside the template\'s folder or input artifact');
  }
  if (node.kind === 'scalar' && /^s3:\/\//i.test(node.value)) {
    c.add(node, path, `${node.value} is an S3 location; pipe deploys local code: give a folder or .zip inside the template's folder or input artifact`);
  }
}
