// The CloudFormation query API over pipe's stacks, for `aws cloudformation ... --endpoint-url`: DescribeStacks,
// DescribeStackEvents, ListStackResources, DescribeStackResources, GetTemplate and DeleteStack.
import { AwsApiError } from '../core/index.js';
import type { AwsService } from '../core/index.js';
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';
import { deleteStack } from './stack-service.js';
import { StackStore } from './stack-store.js';
import type { StackRecord } from './stack-store.js';

export interface CloudFormationDeps {
  home: string;
  lambda: LambdaApi;
  /** A connection to PIPE_HOME's state database, closed after each call. */
  openDb(): Db;
  region: string;
  account: string;
}

function str(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A stack by name or by stack id, as CloudFormation takes either. */
function find(store: StackStore, nameOrId: string): StackRecord {
  const s = store.get(nameOrId) ?? store.list().find((x) => x.stackId === nameOrId);
  if (!s) throw new AwsApiError('ValidationError', `Stack with id ${nameOrId} does not exist`);
  return s;
}

function stackShape(s: StackRecord): Record<string, unknown> {
  return {
    StackId: s.stackId,
    StackName: s.name,
    ...(s.description ? { Description: s.description } : {}),
    Parameters: s.parameters.map((p) => ({ ParameterKey: p.name, ParameterValue: p.noEcho ? '****' : p.value })),
    CreationTime: new Date(s.createdAt),
    LastUpdatedTime: new Date(s.updatedAt),
    StackStatus: s.status,
    ...(s.statusReason ? { StackStatusReason: s.statusReason } : {}),
    DisableRollback: false,
    Outputs: s.outputs,
  };
}

export function cloudFormationService(deps: CloudFormationDeps): AwsService {
  const withStore = async <T>(body: (store: StackStore, db: Db) => Promise<T> | T): Promise<T> => {
    const db = deps.openDb();
    try {
      return await body(new StackStore(db), db);
    } finally {
      db.close();
    }
  };
  const need = (input: Record<string, unknown>): string => {
    const name = str(input, 'StackName');
    if (!name) throw new AwsApiError('ValidationError', "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    return name;
  };
  return {
    signingName: 'cloudformation',
    protocol: 'query',
    xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    operations: {
      DescribeStacks: (input) => withStore((store) => {
        const name = str(input, 'StackName');
        return { Stacks: (name ? [find(store, name)] : store.list()).map(stackShape) };
      }),
      DescribeStackEvents: (input) => withStore((store) => {
        const s = find(store, need(input));
        return {
          StackEvents: store.events(s.name).map((e) => ({
            StackId: e.StackId, EventId: e.StackEventId, StackName: e.StackName, LogicalResourceId: e.LogicalResourceId,
            PhysicalResourceId: e.PhysicalResourceId, ResourceType: e.ResourceType, Timestamp: new Date(e.Timestamp), ResourceStatus: e.ResourceStatus,
            ...(e.ResourceStatusReason ? { ResourceStatusReason: e.ResourceStatusReason } : {}),
          })),
        };
      }),
      ListStackResources: (input) => withStore((store) => {
        const s = find(store, need(input));
        return {
          StackResourceSummaries: store.resources(s.name).map((r) => ({
            LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId ?? '', ResourceType: r.type,
            LastUpdatedTimestamp: new Date(r.updatedAt), ResourceStatus: r.status, ...(r.statusReason ? { ResourceStatusReason: r.statusReason } : {}),
          })),
        };
      }),
      DescribeStackResources: (input) => withStore((store) => {
        const s = find(store, need(input));
        const only = str(input, 'LogicalResourceId');
        return {
          StackResources: store.resources(s.name).filter((r) => only === undefined || r.logicalId === only).map((r) => ({
            StackName: s.name, StackId: s.stackId, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId ?? '', ResourceType: r.type,
            Timestamp: new Date(r.updatedAt), ResourceStatus: r.status, ...(r.statusReason ? { ResourceStatusReason: r.statusReason } : {}),
          })),
        };
      }),
      GetTemplate: (input) => withStore((store) => ({ TemplateBody: find(store, need(input)).templateBody, StagesAvailable: ['Original', 'Processed'] })),
      // As on AWS, deleting a stack that does not exist succeeds.
      DeleteStack: (input) => withStore(async (store, db) => {
        const name = need(input);
        const s = store.get(name) ?? store.list().find((x) => x.stackId === name);
        if (s) await deleteStack({ db, lambda: deps.lambda, home: deps.home, region: deps.region, account: deps.account }, s.name);
        return {};
      }),
    },
  };
}
