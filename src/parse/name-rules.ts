// The patterns AWS allows for every name that pipe turns into a path (pipeline, stage, action, artifact,
// namespace, secondary artifact and batch identifiers, report groups), and the one check they all go through.

export interface NameRule {
  /** What is named, as a message says it: `a pipeline name`, `a secondary artifact identifier`. */
  noun: string;
  pattern: RegExp;
  /** The characters the pattern allows, as a person reads them. */
  chars: string;
  min: number;
  max: number;
}

function rule(noun: string, pattern: RegExp, chars: string, max: number, min = 1): NameRule {
  return { noun, pattern, chars, min, max };
}

const CODEPIPELINE_NAME = /^[A-Za-z0-9.@\-_]+$/;
const CODEPIPELINE_CHARS = 'A-Z a-z 0-9 . @ - _';
const IDENTIFIER = /^[A-Za-z0-9_-]+$/;
const IDENTIFIER_CHARS = 'A-Z a-z 0-9 _ -';

/**
 * CodePipeline's patterns and limits (PipelineDeclaration, StageDeclaration, ActionDeclaration, OutputArtifact,
 * namespace, PipelineVariableDeclaration). CodeBuild documents its identifiers (sourceIdentifier) as alphanumeric and
 * `_`, under 128 characters; secondary artifact identifiers are keyed by CodePipeline output artifact names, which
 * add `-`, so that is the identifier rule here, for batch task identifiers too. A report group is named
 * `<project>-<name>` from a buildspec's bare name (CreateReportGroup: 2-128 characters), or given by its ARN.
 */
export const NAME_RULES = {
  pipeline: rule('a pipeline name', CODEPIPELINE_NAME, CODEPIPELINE_CHARS, 100),
  stage: rule('a stage name', CODEPIPELINE_NAME, CODEPIPELINE_CHARS, 100),
  action: rule('an action name', CODEPIPELINE_NAME, CODEPIPELINE_CHARS, 100),
  artifact: rule('an artifact name', /^[A-Za-z0-9_-]+$/, 'A-Z a-z 0-9 _ -', 100),
  namespace: rule('a namespace name', /^[A-Za-z0-9@\-_]+$/, 'A-Z a-z 0-9 @ - _', 100),
  variable: rule('a variable name', /^[A-Za-z0-9@\-_]+$/, 'A-Z a-z 0-9 @ - _', 128),
  secondaryArtifact: rule('a secondary artifact identifier', IDENTIFIER, IDENTIFIER_CHARS, 127),
  batchTask: rule('a batch task identifier', IDENTIFIER, IDENTIFIER_CHARS, 127),
  reportGroup: rule('a report group name', IDENTIFIER, IDENTIFIER_CHARS, 128),
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/** A report group's ARN, which a buildspec may give instead of a name. */
const REPORT_GROUP_ARN = /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:[0-9]{12}:report-group\/[A-Za-z0-9_-]{2,128}$/;

/**
 * Why `value` is not a usable name of this kind, or undefined when it is. A name of dots only (`.`, `..`, `...`)
 * fits the CodePipeline pattern but reads as a path, so it is refused wherever the pattern allows dots.
 */
export function explainName(kind: NameKind, value: string): string | undefined {
  const r: NameRule = NAME_RULES[kind];
  if (kind === 'reportGroup' && REPORT_GROUP_ARN.test(value)) return undefined;
  const fits = r.pattern.test(value) && value.length >= r.min && value.length <= r.max;
  if (!fits) return `${expectedName(kind)}, got '${value}'`;
  if (/^\.+$/.test(value)) {
    return `'${value}' is not usable as ${r.noun}: a name of only dots reads as a path ('.' or '..'); use a letter, digit, @, - or _ too`;
  }
  return undefined;
}

/** `expected a stage name of 1-100 characters from ...`: what a message says was expected. */
export function expectedName(kind: NameKind): string {
  const r: NameRule = NAME_RULES[kind];
  const orArn = kind === 'reportGroup' ? ' or a report group ARN' : '';
  return `expected ${r.noun} of ${r.min}-${r.max} characters from ${r.chars}${orArn}`;
}

/** True when `value` is a usable name of this kind. */
export function isValidName(kind: NameKind, value: string): boolean {
  return explainName(kind, value) === undefined;
}
