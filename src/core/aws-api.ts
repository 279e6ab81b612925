// The AWS APIs pipe serves beside Lambda's REST API (CloudFormation, CodePipeline, CodeDeploy, CloudWatch, SSM,
// Secrets Manager): what a service declares, what one call carries, and the error a handler throws. The wire
// protocols (JSON by X-Amz-Target, query with XML answers) live with the server; a service only maps input
// objects to output objects, so one service works on every server that mounts it.

export type AwsProtocol = 'json' | 'query';

export interface AwsCall {
  /** The service's signing name. */
  service: string;
  operation: string;
  /** The region of the request's SigV4 credential scope, else the server's default region. */
  region: string;
  /** The Host header, to build URLs that point back at the server. */
  host: string;
  requestId: string;
}

/**
 * One operation. JSON services get the decoded body and answer an object serialized as JSON. Query services get
 * the form parameters decoded into objects (`Parameters.member.1.ParameterKey=K` becomes `{ Parameters: [{
 * ParameterKey: 'K' }] }`, every leaf a string) and answer an object serialized as the `<OpResult>` element
 * (arrays as `<member>` lists, Dates as ISO 8601).
 */
export type AwsOperation = (input: Record<string, unknown>, call: AwsCall) => Promise<Record<string, unknown>>;

export interface AwsService {
  /** The SigV4 signing name in a request's credential scope: 'cloudformation', 'monitoring', 'ssm', ... */
  signingName: string;
  protocol: AwsProtocol;
  /** JSON: the X-Amz-Target prefix before the dot ('AmazonSSM', 'CodePipeline_20150709'). */
  targetPrefix?: string;
  /** JSON: the content type answered ('application/x-amz-json-1.1' unless said). */
  jsonVersion?: '1.0' | '1.1';
  /** Query: the XML namespace of answers ('http://cloudformation.amazonaws.com/doc/2010-05-15/'). */
  xmlNamespace?: string;
  operations: Record<string, AwsOperation>;
}

/** An error with AWS's error code (`ValidationError`, `ParameterNotFound`, ...), answered in the protocol's shape. */
export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AwsApiError';
  }

  /** 4xx: the caller's fault ("Sender" in query errors); 5xx: the service's ("Receiver"). */
  get isSenderFault(): boolean {
    return this.status < 500;
  }
}

export function isAwsApiError(e: unknown): e is AwsApiError {
  return e instanceof AwsApiError;
}
