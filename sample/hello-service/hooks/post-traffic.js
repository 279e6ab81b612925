// hello-service's PostTraffic hook: once the alias `live` carries all the traffic, invokes the new version through
// its qualifier (TARGET_VERSION: the version's ARN, from the template's !Ref HelloFunction.Version) and reports
// the lifecycle event Succeeded, or Failed with the reason, through CodeDeploy's API at AWS_ENDPOINT_URL.
'use strict';

const endpoint = process.env.AWS_ENDPOINT_URL;

async function putStatus(event, status) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus' },
    body: JSON.stringify({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status }),
  });
  if (!res.ok) throw new Error(`PutLifecycleEventHookExecutionStatus answered ${res.status}: ${await res.text()}`);
}

async function check(versionArn) {
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION
  const [, , , , , , name, version] = versionArn.split(':');
  if (!name || !version) throw new Error(`TARGET_VERSION ${versionArn} is not a function version's ARN`);
  const res = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations?Qualifier=${encodeURIComponent(version)}`, {
    method: 'POST', body: JSON.stringify({ name: 'PostTraffic' }),
  });
  const text = await res.text();
  if (!res.ok || res.headers.get('x-amz-function-error')) throw new Error(`${name}:${version} failed: ${text}`);
  const message = JSON.parse(JSON.parse(text).body).message;
  if (message !== 'Hello, PostTraffic!') throw new Error(`${name}:${version} answered ${JSON.stringify(message)}`);
  return `${name}:${version} answered ${message}`;
}

exports.handler = async (event) => {
  try {
    const said = await check(process.env.TARGET_VERSION || '');
    await putStatus(event, 'Succeeded');
    return said;
  } catch (e) {
    await putStatus(event, 'Failed');
    return `Failed: ${e.message}`;
  }
};
