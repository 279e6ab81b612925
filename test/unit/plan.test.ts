// The execution plan: runOrder groups, artifact producers, references; run-time resolution and typed configuration.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import type { ValidationError } from '../../src/core/index.js';
import type { ConfigValue, PipelineSpec } from '../../src/core/index.js';
import {
  buildExecutionPlan,
  findReferences,
  readCodeBuildConfiguration,
  readGitSourceConfiguration,
  resolveConfiguration,
} from '../../src/plan/index.js';
import { loadPipelineSpec, parsePipelineSpec } from '../../src/parse/index.js';

const PIPELINE = `name: groups
variables:
  - { name: Env, default: dev }
stages:
  - name: Source
    actions:
      - { name: App, type: Source/Git, configuration: { repository: app }, outputArtifacts: [AppSrc], namespace: AppVars }
      - { name: Lib, type: Source/Git, configuration: { repository: lib }, outputArtifacts: [LibSrc] }
  - name: Build
    actions:
      - name: Package
        type: Build/CodeBuild
        runOrder: 3
        inputArtifacts: [AppSrc, Bin]
        outputArtifacts: [Zip]
        configuration:
          environmentVariables:
            TAG: "#{CompileVars.TAG}-#{AppVars.CommitId}"
            AGAIN: "#{AppVars.CommitId}"
      - { name: Compile, type: Build/CodeBuild, inputArtifacts: [AppSrc, LibSrc], outputArtifacts: [Bin], namespace: CompileVars }
      - { name: Lint, type: Build/CodeBuild, inputArtifacts: [AppSrc], configuration: { image: "lint:#{variables.Env}" } }
      - { name: Test, type: Build/CodeBuild, runOrder: 2, inputArtifacts: [Bin] }
`;

function plan(): ReturnType<typeof buildExecutionPlan> {
  return buildExecutionPlan(parsePipelineSpec(PIPELINE, 'pipelines/groups.yml'));
}

describe('buildExecutionPlan', () => {
  test('groups each stage by runOrder, ascending, file order within a group', () => {
    const stages = plan().stages.map((s) => ({ name: s.name, groups: s.groups.map((g) => g.map((a) => a.id)) }));
    expect(stages).toEqual([
      { name: 'Source', groups: [['Source.App', 'Source.Lib']] },
      { name: 'Build', groups: [['Build.Compile', 'Build.Lint'], ['Build.Test'], ['Build.Package']] },
    ]);
  });

  test('names the producer of every artifact, and carries file, digest, base directory and variables', () => {
    const p = plan();
    const spec = parsePipelineSpec(PIPELINE, 'pipelines/groups.yml');
    expect(p.artifactProducers).toEqual({
      AppSrc: 'Source.App',
      LibSrc: 'Source.Lib',
      Bin: 'Build.Compile',
      Zip: 'Build.Package',
    });
    expect(p.pipeline).toBe('groups');
    expect(p.file).toBe(path.resolve('pipelines/groups.yml'));
    expect(p.baseDir).toBe(path.resolve('pipelines'));
    expect(p.digest).toBe(spec.digest);
    expect(p.variables).toEqual([{ name: 'Env', defaultValue: 'dev' }]);
  });

  test('each action carries its category, artifacts, namespace and distinct references', () => {
    const build = plan().stages[1];
    const pkg = build?.groups[2]?.[0];
    expect(pkg).toMatchObject({
      stage: 'Build',
      name: 'Package',
      id: 'Build.Package',
      type: 'Build/CodeBuild',
      category: 'Build',
      runOrder: 3,
      inputArtifacts: ['AppSrc', 'Bin'],
      outputArtifacts: ['Zip'],
      references: [
        { namespace: 'CompileVars', key: 'TAG', text: '#{CompileVars.TAG}' },
        { namespace: 'AppVars', key: 'CommitId', text: '#{AppVars.CommitId}' },
      ],
    });
    expect(pkg).not.toHaveProperty('namespace');
    expect(build?.groups[0]?.[0]?.namespace).toBe('CompileVars');
    expect(build?.groups[0]?.[1]?.references).toEqual([{ namespace: 'variables', key: 'Env', text: '#{variables.Env}' }]);
  });

  test('is pure: the plan does not share arrays with the spec', () => {
    const spec: PipelineSpec = parsePipelineSpec(PIPELINE, 'p.yml');
    const p = buildExecutionPlan(spec);
    p.stages[0]?.groups[0]?.[0]?.outputArtifacts.push('Extra');
    expect(spec.stages[0]?.actions[0]?.outputArtifacts).toEqual(['AppSrc']);
    expect(buildExecutionPlan(spec)).toEqual(buildExecutionPlan(spec));
  });

  test('the sample pipeline plans into source, build, deploy and test stages, at its own deploy time scale', () => {
    const p = buildExecutionPlan(loadPipelineSpec(path.resolve('pipelines/deploy.yml')));
    expect(p.stages.map((s) => s.groups.map((g) => g.map((a) => a.id)))).toEqual([[['Source.Checkout']], [['Build.Build']], [['Deploy.Stack']], [['Test.Smoke']]]);
    expect(p.deployTimeScale).toBe(60);
    expect(p.artifactProducers).toEqual({
      SourceOutput: 'Source.Checkout',
      FunctionCode: 'Build.Build',
      LayerCode: 'Build.Build',
      StackBundle: 'Build.Build',
    });
  });
});

describe('findReferences', () => {
  test('finds references in nested lists and mappings, once each, in order; map keys are not scanned', () => {
    const value: ConfigValue = {
      a: 'x #{A.One} y #{variables.Env}',
      '#{Not.Key}': ['#{B.Two}', { deep: '#{A.One}#{C.Three}' }],
      malformed: '#{nodot} #{ A.B }',
    };
    expect(findReferences(value).map((r) => r.text)).toEqual([
      '#{A.One}',
      '#{variables.Env}',
      '#{B.Two}',
      '#{C.Three}',
    ]);
    expect(findReferences('plain')).toEqual([]);
  });
});

describe('resolveConfiguration', () => {
  const variables = {
    variables: { Env: 'prod' },
    Src: { CommitId: 'abc123', BranchName: 'main' },
    Build: { TAG: '#{Src.CommitId}' },
  };

  test('substitutes every reference in every string, nested, without touching the input', () => {
    const config: Record<string, ConfigValue> = {
      image: 'app:#{Src.CommitId}-#{variables.Env}',
      environmentVariables: [{ name: 'BRANCH', value: '#{Src.BranchName}', type: 'PLAINTEXT' }],
      keep: 'no references; #{malformed} stays',
    };
    expect(resolveConfiguration(config, variables)).toEqual({
      image: 'app:abc123-prod',
      environmentVariables: [{ name: 'BRANCH', value: 'main', type: 'PLAINTEXT' }],
      keep: 'no references; #{malformed} stays',
    });
    expect(config['image']).toBe('app:#{Src.CommitId}-#{variables.Env}');
  });

  test('substitutes in one pass: a value that holds #{...} is not expanded again', () => {
    expect(resolveConfiguration({ tag: '#{Build.TAG}' }, variables)).toEqual({ tag: '#{Src.CommitId}' });
  });

  test('an unresolved reference is INVALID_ARGUMENT, naming it', () => {
    const attempt = (value: string): PipeError => {
      try {
        resolveConfiguration({ value }, variables);
      } catch (e) {
        if (e instanceof PipeError) return e;
      }
      throw new Error('expected a PipeError');
    };
    const noNamespace = attempt('#{Deploy.Url}');
    expect(noNamespace.code).toBe('INVALID_ARGUMENT');
    expect(noNamespace.message).toBe("cannot resolve #{Deploy.Url}: no variables in namespace 'Deploy'");
    const noKey = attempt('x #{Src.Author}');
    expect(noKey.code).toBe('INVALID_ARGUMENT');
    expect(noKey.message).toBe("cannot resolve #{Src.Author}: namespace 'Src' has no variable 'Author'");
    expect(noKey.hint).toBe("'Src' has: CommitId, BranchName");
    expect(attempt('#{Src.constructor}').message).toBe(
      "cannot resolve #{Src.constructor}: namespace 'Src' has no variable 'constructor'",
    );
  });
});

describe('typed configuration', () => {
  test('a Build/CodeBuild configuration with defaults applied by the spec', () => {
    const spec = parsePipelineSpec(PIPELINE, 'p.yml');
    const compile = spec.stages[1]?.actions[1];
    expect(readCodeBuildConfiguration(compile?.configuration ?? {})).toEqual({
      buildspec: 'buildspec.yml',
      image: 'pipe/standard:1',
      environmentVariables: [],
      timeoutInMinutes: 60,
      privilegedMode: false,
      passAwsCredentials: false,
      batchEnabled: false,
      combineArtifacts: false,
      batchConcurrency: 2,
    });
    const pkg = spec.stages[1]?.actions[0];
    const resolved = resolveConfiguration(pkg?.configuration ?? {}, {
      CompileVars: { TAG: 'v1' },
      AppVars: { CommitId: 'c0ffee' },
    });
    expect(readCodeBuildConfiguration(resolved).environmentVariables).toEqual([
      { name: 'TAG', value: 'v1-c0ffee', type: 'PLAINTEXT' },
      { name: 'AGAIN', value: 'c0ffee', type: 'PLAINTEXT' },
    ]);
  });

  test('a Source/Git configuration: branch, commit or neither (HEAD)', () => {
    expect(readGitSourceConfiguration({ repository: 'app' })).toEqual({ repository: 'app' });
    expect(readGitSourceConfiguration({ repository: 'app', commit: 'abc1' })).toEqual({ repository: 'app', commit: 'abc1' });
    expect(() => readGitSourceConfiguration({ branch: 'main' })).toThrow(PipeError);
  });
});

describe('batchConcurrency', () => {
  const pipeline = (value: string) => `name: p
stages:
  - name: Source
    actions:
      - name: S
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: B
        type: Build/CodeBuild
        configuration: { batchEnabled: "true", batchConcurrency: "${value}" }
        inputArtifacts: [Src]
`;
  test('is read as a number, and rejected outside 1-100', () => {
    const spec = parsePipelineSpec(pipeline('4'), 'p.yml');
    const build = spec.stages[1]?.actions[0];
    expect(readCodeBuildConfiguration(build?.configuration ?? {}).batchConcurrency).toBe(4);
    let problems = '';
    try {
      parsePipelineSpec(pipeline('0'), 'p.yml');
    } catch (e) {
      problems = (e as ValidationError).format();
    }
    expect(problems).toContain('stages[1].actions[0].configuration.batchConcurrency:');
    expect(problems).toContain("'0'");
  });
});
