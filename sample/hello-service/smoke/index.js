// hello-service's smoke test, the sample pipeline's Invoke/Lambda job worker: invokes the deployed function
// (UserParameters: {"function": "NAME:ALIAS", "name": "...", "expect": "..."}) through the Lambda API at
// AWS_ENDPOINT_URL and reports the job with CodePipeline's PutJobSuccessResult or PutJobFailureResult.
'use strict';

const endpoint = process.env.AWS_ENDPOINT_URL;

async function codepipeline(operation, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `CodePipeline_20150709.${operation}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${operation} answered ${res.status}: ${await res.text()}`);
}

async function invoke(ref, event) {
  const [name, qualifier] = ref.split(':');
  const query = qualifier ? `?Qualifier=${encodeURIComponent(qualifier)}` : '';
  const res = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations${query}`, {
    method: 'POST', body: JSON.stringify(event),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`invoking ${ref} answered ${res.status}: ${text}`);
  if (res.headers.get('x-amz-function-error')) throw new Error(`${ref} failed: ${text}`);
  return { version: res.headers.get('x-amz-executed-version'), result: JSON.parse(text) };
}

exports.handler = async (event) => {
  const job = event['CodePipeline.job'];
  try {
    const params = JSON.parse(job.data.actionConfiguration.configuration.UserParameters || '{}');
    if (typeof params.function !== 'string') throw new Error('UserParameters must name the function to test: {"function": "NAME:ALIAS"}');
    const { version, result } = await invoke(params.function, { name: params.name });
    const message = JSON.parse(result.body).message;
    if (params.expect !== undefined && message !== params.expect) {
      throw new Error(`${params.function} (version ${version}) answered ${JSON.stringify(message)}, expected ${JSON.stringify(params.expect)}`);
    }
    await codepipeline('PutJobSuccessResult', {
      jobId: job.id,
      outputVariables: { Message: message, TestedVersion: String(version) },
      executionDetails: { summary: `${params.function} answered ${message}` },
    });
  } catch (e) {
    await codepipeline('PutJobFailureResult', { jobId: job.id, failureDetails: { type: 'JobFailed', message: String(e.message).slice(0, 5000) } });
  }
};
