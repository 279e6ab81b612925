// The Invoke route: headers in (invocation type, log type, client context), status and X-Amz-* headers out.
import { defined, queryString, required } from './fields.js';
import type { Handler } from './function-handlers.js';
import { header } from './request.js';

export const invokeFunction: Handler = async (r, req) => {
  const input = {
    FunctionName: required('FunctionName', req.params['FunctionName']),
    Payload: req.body,
    ...defined({
      Qualifier: queryString(req.query, 'Qualifier'),
      InvocationType: header(req, 'X-Amz-Invocation-Type'),
      LogType: header(req, 'X-Amz-Log-Type'),
      ClientContext: header(req, 'X-Amz-Client-Context'),
    }),
  };
  const out = await r.invoke(input, req.scope);
  // AWS answers with the invocation's own request id, the one in the function's logs and context.
  const headers: Record<string, string> = { 'x-amzn-RequestId': out.RequestId };
  if (out.FunctionError !== undefined) headers['X-Amz-Function-Error'] = out.FunctionError;
  if (out.ExecutedVersion !== undefined) headers['X-Amz-Executed-Version'] = out.ExecutedVersion;
  if (out.LogResult !== undefined) headers['X-Amz-Log-Result'] = out.LogResult;
  if (out.StatusCode !== 200) return { status: out.StatusCode, headers };
  return { status: 200, raw: out.Payload ?? Buffer.alloc(0), headers: { ...headers, 'Content-Type': 'application/json' } };
};
