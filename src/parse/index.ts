// The spec layer: YAML text -> PipelineSpec / BuildSpec, every node keeping file:line:col.
export * from './yaml-source.js';
export * from './problems.js';
export * from './pipeline.js';
export * from './buildspec.js';
export * from './name-rules.js';
export { YAML_LIMITS } from './yaml-limits.js';
export { SAM_TRANSFORM, TEMPLATE_LIMITS, loadTemplate, readTemplate } from './template-reader.js';
export type { ReadTemplateOptions, TemplateSpec } from './template-reader.js';
export { INTRINSICS, intrinsicName } from './template-intrinsics.js';
export { runtimeFamily } from './template-sam-rules.js';
