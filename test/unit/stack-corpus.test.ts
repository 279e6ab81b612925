// Every real SAM template of ../shared/corpus/sam through `pipe stack plan`, in a temporary copy where the code
// folders a template names exist (empty) and parameters without a default get test values: exit 0 with its
// warnings and every function of the template in the plan, or exit 2 with the reason, pinned below per file.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createMemoryOutput } from '../../src/cli/output.js';
import type { StackPlan } from '../../src/deploy/index.js';
import { entry, readTemplate } from '../../src/parse/index.js';
import type { YamlMapping, YamlNode } from '../../src/parse/index.js';
import { describeShared, SHARED_DIR } from '../support/shared.js';

const corpusDir = path.join(SHARED_DIR, 'corpus/sam');
/** The corpus as it stands; a missing or truncated corpus must fail, not silently test less. */
const EXPECTED_FILES = 42;

/** What the subset refuses, per file: each string must be in the error output. */
const EXPECTED_REJECTIONS: Record<string, string[]> = {
  '003-0x4447-0x4447-AWS-Lambda-Send-Email-template.yaml': [":5:3 Resources.0x4447_AWSLambda_Send_Email: logical ID '0x4447_AWSLambda_Send_Email' is not alphanumeric"],
  // Outputs name a function the template does not declare (a leftover of a rename).
  '007-10kloud-lambdas-template.yaml': [':54:20 Outputs.HelloWorldFunction.Value["Fn::GetAtt"]: Fn::GetAtt HelloWorldFunction.Arn: no resource HelloWorldFunction in the template'],
  // A typo in an output: RDSCopySnaphotFunction.
  '009-18F-identity-infra-functions-template.yaml': [':89:20 Outputs.RDSCopySnapshotFunctionArn.Value["Fn::GetAtt"]: Fn::GetAtt RDSCopySnaphotFunction.Arn: no resource RDSCopySnaphotFunction in the template'],
  '014-3ddysan-aws-sam-basic-authorizer-template.yml': [':73:16 Resources.ExampleFunction.Properties.Runtime: nodejs10.6 is not a Lambda runtime name (did you mean nodejs10.x?)'],
  '039-MarcTM01-rwth-mensa-butler-template.yaml': [':74:20 Resources.ScrapMensaDataFunction.Properties.PackageType: PackageType Image is not supported'],
};

const work = mkdtempSync(path.join(tmpdir(), 'pipe-sam-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Code locations the template names as plain local paths. */
function codePaths(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:CodeUri|ContentUri|Content):[ \t]*([^\s#{!'"][^#\n]*?)\s*$/gm)) {
    const p = m[1]!.trim();
    if (!/^s3:\/\//.test(p)) found.push(p);
  }
  return found;
}

/** The template's nodes, when it parses (a refused one needs no parameters). */
function parsed(text: string, file: string): YamlMapping | undefined {
  try {
    return readTemplate(text, file).root;
  } catch {
    return undefined;
  }
}

function scalar(node: YamlNode | undefined): string | undefined {
  return node?.kind === 'scalar' ? node.value : undefined;
}

/** Test values for the parameters a template leaves without Default (first allowed value, a number, a word). */
function testParameters(root: YamlMapping | undefined): string[] {
  const params = root ? entry(root, 'Parameters') : undefined;
  const args: string[] = [];
  for (const { key, value } of params?.kind === 'mapping' ? params.entries : []) {
    if (value.kind !== 'mapping' || entry(value, 'Default')) continue;
    const allowed = entry(value, 'AllowedValues');
    const type = scalar(entry(value, 'Type')) ?? 'String';
    const first = allowed?.kind === 'sequence' ? scalar(allowed.items[0]) : undefined;
    args.push('--parameter', `${key.value}=${first ?? (type === 'Number' || type === 'List<Number>' ? '1' : 'test')}`);
  }
  return args;
}

/** Logical ids of the template's functions (the plan must list each one that has no Condition). */
function functionIds(root: YamlMapping | undefined): string[] {
  const resources = root ? entry(root, 'Resources') : undefined;
  return (resources?.kind === 'mapping' ? resources.entries : [])
    .filter(({ value }) => value.kind === 'mapping' && /^AWS::(Serverless|Lambda)::Function$/.test(scalar(entry(value, 'Type')) ?? '') && !entry(value, 'Condition'))
    .map(({ key }) => key.value);
}

describeShared('every SAM template of the corpus through pipe stack plan', 'corpus/sam', () => {
  const files = readdirSync(corpusDir).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('holds the whole corpus', () => {
    expect(files).toHaveLength(EXPECTED_FILES);
  });

  const outcomes: Record<string, string> = {};
  it.each(files)('%s', async (file) => {
    const dir = path.join(work, file.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(corpusDir, file), path.join(dir, file));
    const text = readFileSync(path.join(corpusDir, file), 'utf8');
    for (const p of codePaths(text)) {
      const abs = path.resolve(dir, p);
      if (!abs.startsWith(dir)) continue;
      if (p.endsWith('.zip')) {
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]));
      } else mkdirSync(abs, { recursive: true });
    }
    const out = createMemoryOutput();
    const root = parsed(text, file);
    const code = await main(['stack', 'plan', path.join(dir, file), '--stack-name', 'corpus', '--json', ...testParameters(root)], out);
    const rejected = EXPECTED_REJECTIONS[file];
    if (rejected) {
      expect({ code, err: out.err }).toMatchObject({ code: 2 });
      for (const reason of rejected) expect(out.err).toContain(reason);
      outcomes[file] = `refused: ${rejected.join('; ')}`;
      return;
    }
    expect({ code, err: out.err }).toEqual({ code: 0, err: '' });
    const plan = JSON.parse(out.out) as StackPlan;
    const planned = plan.functions.map((f) => f.logicalId);
    for (const id of functionIds(root)) expect(planned).toContain(id);
    expect(plan.changes.filter((c) => c.action !== 'Add')).toEqual([]);
    outcomes[file] = `planned: ${plan.functions.length} functions, ${plan.layers.length} layers, ${plan.warnings.length} warnings`;
  });

  it('planned the templates the subset takes, and refused only the pinned ones', () => {
    const refused = Object.entries(outcomes).filter(([, o]) => o.startsWith('refused')).map(([f]) => f);
    expect(refused.sort()).toEqual(Object.keys(EXPECTED_REJECTIONS).sort());
    expect(Object.keys(outcomes)).toHaveLength(EXPECTED_FILES);
  });
});
