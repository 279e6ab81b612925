// The Python bootstrap in real containers: handler, context, environment, layers, error bodies, init errors.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import type { InvokeTarget } from '../../src/registry/invoke-port.js';
import { containersOf, decodeTail, json, makeTarget, makeZip, removeWorkDir, request } from './support.js';

describeDocker('Python runtime', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker();
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  const python = (files: Record<string, string>, extra: Partial<InvokeTarget> = {}) =>
    makeTarget({ codeZipPath: makeZip(files), runtime: 'python3.12', handler: 'lambda_function.handler', ...extra });

  it('runs module.function with the context object and the environment Lambda sets', async () => {
    const target = python(
      {
        'lambda_function.py': [
          'import os, sys',
          'def handler(event, context):',
          '    return {',
          '        "event": event,',
          '        "remaining": context.get_remaining_time_in_millis(),',
          '        "aws_request_id": context.aws_request_id,',
          '        "function_name": context.function_name,',
          '        "function_version": context.function_version,',
          '        "invoked_function_arn": context.invoked_function_arn,',
          '        "memory_limit_in_mb": context.memory_limit_in_mb,',
          '        "log_group_name": context.log_group_name,',
          '        "log_stream_name": context.log_stream_name,',
          '        "client_custom": context.client_context.custom if context.client_context else None,',
          '        "env": dict(os.environ),',
          '        "path": sys.path[:4],',
          '    }',
        ].join('\n'),
      },
      { functionName: 'py-fn', memorySize: 512, environment: { GREETING: 'hej' } },
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 'b' } })).toString('base64');
    const result = await invoker.invoke(request(target, { x: [1, 2] }, { clientContext }));
    expect(result.functionError).toBeUndefined();
    const body = json(result.payload) as Record<string, unknown> & { env: Record<string, string>; path: string[] };
    expect(body).toMatchObject({
      event: { x: [1, 2] },
      aws_request_id: result.requestId,
      function_name: 'py-fn',
      function_version: '$LATEST',
      invoked_function_arn: target.invokedFunctionArn,
      memory_limit_in_mb: '512',
      log_group_name: '/aws/lambda/py-fn',
      client_custom: { a: 'b' },
    });
    // Counts down from the 3 s timeout (how much is left at the handler's start: `npm run bench`).
    expect(body['remaining']).toBeGreaterThan(0);
    expect(body['remaining']).toBeLessThanOrEqual(3000);
    expect(body.env).toMatchObject({
      AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12',
      PYTHONPATH: '/var/runtime',
      _HANDLER: 'lambda_function.handler',
      LAMBDA_TASK_ROOT: '/var/task',
      GREETING: 'hej',
      TZ: ':UTC',
    });
    expect(body.path).toEqual(['/var/task', '/opt/python/lib/python3.12/site-packages', '/opt/python', '/var/runtime']);
  });

  it('imports modules from a layer (/opt/python and its site-packages)', async () => {
    const layer = makeZip({
      'python/helper.py': 'def shout(s):\n    return s.upper()\n',
      'python/lib/python3.12/site-packages/pkgmod/__init__.py': 'NAME = "from-site-packages"\n',
    });
    const target = python(
      { 'lambda_function.py': 'import helper, pkgmod\ndef handler(event, context):\n    return [helper.shout("hi"), pkgmod.NAME]\n' },
      { layerZipPaths: [layer] },
    );
    const result = await invoker.invoke(request(target));
    expect(json(result.payload)).toEqual(['HI', 'from-site-packages']);
  });

  it('returns a handler exception with the Python error body', async () => {
    const target = python({ 'lambda_function.py': 'def handler(event, context):\n    raise Exception("Handler fails")\n' });
    const result = await invoker.invoke(request(target, {}, { logType: 'Tail' }));
    expect(result.functionError).toBe('Unhandled');
    const body = json(result.payload) as { stackTrace: string[] };
    expect(Object.keys(body)).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    expect(body).toMatchObject({ errorMessage: 'Handler fails', errorType: 'Exception', requestId: result.requestId });
    expect(body.stackTrace).toEqual(['  File "/var/task/lambda_function.py", line 2, in handler\n    raise Exception("Handler fails")\n']);
    expect(decodeTail(result.logResult)).toContain('[ERROR] Exception: Handler fails');
  });

  it('reports a module that cannot be imported as Runtime.ImportModuleError with an empty requestId', async () => {
    const target = python({ 'other.py': 'x = 1\n' });
    const result = await invoker.invoke(request(target));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorMessage: "Unable to import module 'lambda_function': No module named 'lambda_function'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
  });

  it('reports a missing handler function as Runtime.HandlerNotFound', async () => {
    const target = python({ 'lambda_function.py': 'def other(e, c):\n    return 1\n' });
    const result = await invoker.invoke(request(target));
    expect(json(result.payload)).toMatchObject({
      errorMessage: "Handler 'handler' missing on module 'lambda_function'",
      errorType: 'Runtime.HandlerNotFound',
      requestId: '',
    });
  });

  it('reports a result that is not JSON serializable as Runtime.MarshalError', async () => {
    const target = python({ 'lambda_function.py': 'def handler(e, c):\n    return {"s": {1, 2}}\n' });
    const result = await invoker.invoke(request(target));
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload)).toEqual({
      errorMessage: 'Unable to marshal response: Object of type set is not JSON serializable',
      errorType: 'Runtime.MarshalError',
      requestId: result.requestId,
      stackTrace: [],
    });
  });

  it('writes logging output in Lambda format and print output as is', async () => {
    const target = python({
      'lambda_function.py': 'import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\ndef handler(e, c):\n    print("printed")\n    logger.info("logged")\n    return None\n',
    });
    const result = await invoker.invoke(request(target, {}, { logType: 'Tail' }));
    expect(result.payload.toString()).toBe('null');
    const log = decodeTail(result.logResult);
    expect(log).toContain('printed\n');
    expect(log).toMatch(new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${result.requestId}\\tlogged\\n`));
    expect(log).toContain(`END RequestId: ${result.requestId}`);
  });
});
