// Reserved concurrency per function (Put/Get/DeleteFunctionConcurrency) and GetAccountSettings.
import { parseFunctionRef } from '../arn.js';
import { invalidParameter, validationError } from '../errors.js';
import type { FunctionRefInput, PutFunctionConcurrencyInput } from '../inputs.js';
import { LIMITS } from '../limits.js';
import type { RequestScope } from '../model.js';
import { arnContext, requireFunction } from './context.js';
import type { RegistryContext } from './context.js';

export interface AccountSettings {
  AccountLimit: {
    TotalCodeSize: number;
    CodeSizeUnzipped: number;
    CodeSizeZipped: number;
    ConcurrentExecutions: number;
    UnreservedConcurrentExecutions: number;
  };
  AccountUsage: { TotalCodeSize: number; FunctionCount: number };
}

export function putFunctionConcurrency(
  ctx: RegistryContext,
  input: PutFunctionConcurrencyInput,
  scope?: RequestScope,
): { ReservedConcurrentExecutions: number } {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  const n = input.ReservedConcurrentExecutions;
  if (!Number.isInteger(n) || n < 0) {
    throw validationError(String(n), 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
  }
  return ctx.functions.transaction(() => {
    requireFunction(ctx, arn, name);
    const others = ctx.functions.sumReservedConcurrency(arn.region, name);
    if (LIMITS.accountConcurrency - others - n < LIMITS.minUnreservedConcurrency) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${LIMITS.minUnreservedConcurrency}].`,
      );
    }
    ctx.functions.setReservedConcurrency(arn.region, name, n);
    return { ReservedConcurrentExecutions: n };
  });
}

export function getFunctionConcurrency(
  ctx: RegistryContext,
  input: FunctionRefInput,
  scope?: RequestScope,
): { ReservedConcurrentExecutions?: number } {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  const row = requireFunction(ctx, arn, name);
  return row.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: row.reservedConcurrency };
}

export function deleteFunctionConcurrency(ctx: RegistryContext, input: FunctionRefInput, scope?: RequestScope): void {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  requireFunction(ctx, arn, name);
  ctx.functions.setReservedConcurrency(arn.region, name, undefined);
}

export function getAccountSettings(ctx: RegistryContext, scope?: RequestScope): AccountSettings {
  const arn = arnContext(ctx, scope);
  const reserved = ctx.functions.sumReservedConcurrency(arn.region, '');
  return {
    AccountLimit: {
      TotalCodeSize: LIMITS.totalCodeSize,
      CodeSizeUnzipped: LIMITS.unzippedTotal,
      CodeSizeZipped: LIMITS.zippedUpload,
      ConcurrentExecutions: LIMITS.accountConcurrency,
      UnreservedConcurrentExecutions: LIMITS.accountConcurrency - reserved,
    },
    AccountUsage: {
      TotalCodeSize: ctx.functions.totalCodeSize(arn.region) + ctx.layers.totalCodeSize(arn.region),
      FunctionCount: ctx.functions.countFunctions(arn.region),
    },
  };
}
