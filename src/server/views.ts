// The JSON shapes the dashboard's API answers and its client reads: one definition for both sides. Types only,
// over core's and the execution store's, so the browser's type check does not take in the server's modules.
import type { ActionStatus, StageStatus } from '../core/index.js';
import type { ApprovalRecord, ExecutionDetail, ExecutionSummary } from '../execute/index.js';

export interface ExecutionRow extends ExecutionSummary {
  durationMs?: number;
  revision?: { commitId: string; summary: string };
}

export interface ActionTile {
  name: string;
  provider: string;
  category: string;
  runOrder: number;
  executionId?: string;
  status?: ActionStatus;
  statusMessage?: string;
  startTime?: string;
  endTime?: string;
  durationMs?: number;
  externalExecutionId?: string;
  /** A waiting approval of this action. */
  approval?: ApprovalRecord;
}

export interface StageCard {
  name: string;
  /** The execution this stage last ran (or runs) and its status there. */
  executionId?: string;
  status?: StageStatus;
  attempt?: number;
  actions: ActionTile[];
  /** The inbound transition: absent for the first stage. */
  transition?: { enabled: boolean; reason?: string; disabledAt?: string };
  /** The execution that holds the stage's lock now. */
  heldBy?: string;
  /** Executions waiting to enter the stage, first in line first. */
  waiting: { executionId: string; since: string }[];
}

export interface PipelineView {
  name: string;
  file: string;
  executionMode: string;
  variables: { name: string; default?: string; description?: string }[];
  stages: StageCard[];
  latest?: ExecutionRow;
  /** Approvals waiting for an answer, in any execution of the pipeline. */
  waitingApprovals: (ApprovalRecord & { executionId: string })[];
}

export interface PipelineSummaryView {
  name: string;
  file: string;
  stages: { name: string; status?: StageStatus }[];
  latest?: ExecutionRow;
  waitingApprovals: number;
}

export interface ExecutionView extends ExecutionRow {
  detail: ExecutionDetail;
  /** The plan the execution ran: stages and actions in order, each action's resolved configuration in `detail`. */
  stagesPlanned: { name: string; actions: { name: string; provider: string; runOrder: number }[] }[];
}
