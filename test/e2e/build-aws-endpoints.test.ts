// Through the real binary: a build's AWS calls go to pipe. On pipe/standard:7.0 (AWS CLI v2) `aws ssm
// get-parameter`, `aws secretsmanager get-secret-value` and `aws lambda create-function` / `invoke` reach the
// server `pipe build` starts for the build's length, with throwaway credentials, never the host's; the calls
// pipe does not serve (S3) are listed at the end. --pass-aws-credentials gives the host's and drops AWS_ENDPOINT_URL.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker, describeStandardImage } from '../support/docker.js';

const HOST_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAHOSTKEYEXAMPLE00', AWS_SECRET_ACCESS_KEY: 'host-secret-key-example', AWS_PROFILE: 'host-profile' };

function project(buildspec: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-aws-build-'));
  writeFileSync(join(dir, 'buildspec.yml'), buildspec);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describeStandardImage('pipe build: AWS calls from a build on pipe/standard:7.0 go to pipe', () => {
  it('ssm, secretsmanager and lambda answer from PIPE_HOME; the host keys stay out; S3 calls are reported', async () => {
    const p = makePipeEnv();
    expect((await pipe(['parameters', 'set', '/app/url', 'https://app.example'], p)).exitCode).toBe(0);
    expect((await pipe(['secrets', 'set', 'app/token', 'tok-123'], p)).exitCode).toBe(0);
    const dir = project([
      'version: 0.2',
      'phases:',
      '  build:',
      '    commands:',
      '      - echo "key=$AWS_ACCESS_KEY_ID profile=${AWS_PROFILE:-none}"',
      '      - echo "param=$(aws ssm get-parameter --name /app/url --query Parameter.Value --output text)"',
      '      - echo "secret=$(aws secretsmanager get-secret-value --secret-id app/token --query SecretString --output text)"',
      '      - cd fn && zip -q ../fn.zip index.js && cd ..',
      '      - aws lambda create-function --function-name twice --runtime nodejs18.x --handler index.handler --role arn:aws:iam::000000000000:role/r --zip-file fileb://fn.zip --query FunctionName --output text',
      `      - aws lambda invoke --function-name twice --cli-binary-format raw-in-base64-out --payload '{"n":21}' out.json --query StatusCode --output text`,
      '      - echo "lambda=$(cat out.json)"',
      '      - aws s3api put-object --bucket b --key k --body out.json >/dev/null 2>&1 || echo s3-refused',
    ].join('\n') + '\n', { 'fn/index.js': 'exports.handler = async (e) => ({ n: e.n * 2 });\n' });
    const r = await pipe(['build', dir, '--image', 'pipe/standard:7.0'], p, HOST_KEYS);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^key=AKIAPIPE[0-9A-F]{12} profile=none$/m);
    expect(r.stdout).not.toContain(HOST_KEYS.AWS_ACCESS_KEY_ID);
    expect(r.stdout).toMatch(/^param=https:\/\/app\.example$/m);
    expect(r.stdout).toMatch(/^secret=tok-123$/m);
    expect(r.stdout).toMatch(/^lambda=\{"n":42\}$/m);
    // The S3 call went to pipe (not to AWS: this CLI predates AWS_ENDPOINT_URL, the wrapper passed it on).
    expect(r.stdout).toMatch(/^s3-refused$/m);
    expect(r.stdout).toMatch(/^this build called 1 AWS API pipe does not serve: s3 PutObject \(once\)$/m);
    expect(r.stdout).toMatch(/: SUCCEEDED$/m);
    expect(r.exitCode).toBe(0);
  });
});

describeDocker('pipe build --pass-aws-credentials', () => {
  it("gives the build the host's keys, keeps pipe's endpoints for the services it serves only, and says so", async () => {
    const p = makePipeEnv();
    const dir = project('version: 0.2\nphases:\n  build:\n    commands:\n      - echo "key=$AWS_ACCESS_KEY_ID all=${AWS_ENDPOINT_URL:-none} ssm=${AWS_ENDPOINT_URL_SSM:-none} cfn=${AWS_ENDPOINT_URL_CLOUDFORMATION:-none}"\n');
    const r = await pipe(['build', dir, '--pass-aws-credentials'], p, HOST_KEYS);
    expect(r.stdout).toMatch(/^Warning: this build gets the host's AWS credentials \(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY\): Lambda, SSM, Secrets Manager, CodePipeline, CodeDeploy, CloudWatch and CloudFormation calls go to pipe, every other AWS call goes to AWS with them$/m);
    expect(r.stdout).toMatch(/^key=AKIAHOSTKEYEXAMPLE00 all=none ssm=(http:\/\/127\.0\.0\.1:\d+) cfn=\1$/m);
    expect(r.exitCode).toBe(0);
  });
});
