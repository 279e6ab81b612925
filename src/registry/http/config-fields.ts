// Request bodies of CreateFunction / UpdateFunctionConfiguration / UpdateFunctionCode read into typed inputs.
import type { ConfigurationFields, CreateFunctionInput, FunctionCode, UpdateFunctionCodeInput } from '../inputs.js';
import {
  defined, readBlob, readBoolean, readNumber, readObject, readString, readStringList, readStringMap, required,
} from './fields.js';
import type { Json } from './fields.js';

export function readConfiguration(o: Json): ConfigurationFields {
  const env = readObject(o, 'Environment');
  const storage = readObject(o, 'EphemeralStorage');
  const tracing = readObject(o, 'TracingConfig');
  const fields = defined<ConfigurationFields>({
    Role: readString(o, 'Role'),
    Handler: readString(o, 'Handler'),
    Description: readString(o, 'Description'),
    Timeout: readNumber(o, 'Timeout'),
    MemorySize: readNumber(o, 'MemorySize'),
    Runtime: readString(o, 'Runtime'),
    Layers: readStringList(o, 'Layers'),
  });
  if (env !== undefined) {
    const vars = readStringMap(env, 'Variables');
    fields.Environment = vars === undefined ? {} : { Variables: vars };
  }
  if (storage !== undefined) fields.EphemeralStorage = { Size: required('EphemeralStorage.Size', readNumber(storage, 'Size')) };
  if (tracing !== undefined) {
    const mode = readString(tracing, 'Mode');
    fields.TracingConfig = mode === undefined ? {} : { Mode: mode };
  }
  return fields;
}

export function readCode(o: Json): FunctionCode {
  return defined<FunctionCode>({
    ZipFile: readBlob(o, 'ZipFile'),
    S3Bucket: readString(o, 'S3Bucket'),
    S3Key: readString(o, 'S3Key'),
    S3ObjectVersion: readString(o, 'S3ObjectVersion'),
    ImageUri: readString(o, 'ImageUri'),
  });
}

export function readCreateFunction(o: Json): CreateFunctionInput {
  const input: CreateFunctionInput = {
    ...readConfiguration(o),
    FunctionName: required('FunctionName', readString(o, 'FunctionName')),
    Role: required('Role', readString(o, 'Role')),
    Code: readCode(required('Code', readObject(o, 'Code'))),
  };
  const rest = defined<Pick<CreateFunctionInput, 'Publish' | 'PackageType' | 'Architectures'>>({
    Publish: readBoolean(o, 'Publish'),
    PackageType: readString(o, 'PackageType'),
    Architectures: readStringList(o, 'Architectures'),
  });
  return { ...input, ...rest };
}

export function readUpdateCode(o: Json, functionName: string): UpdateFunctionCodeInput {
  return {
    ...readCode(o),
    FunctionName: functionName,
    ...defined<Omit<UpdateFunctionCodeInput, 'FunctionName' | keyof FunctionCode>>({
      Publish: readBoolean(o, 'Publish'),
      DryRun: readBoolean(o, 'DryRun'),
      RevisionId: readString(o, 'RevisionId'),
      Architectures: readStringList(o, 'Architectures'),
    }),
  };
}
