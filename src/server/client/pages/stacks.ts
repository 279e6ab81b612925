// The Stacks page and a stack's page, as the CloudFormation console shows them: stacks with their status; a stack's
// resources with physical ids and statuses, outputs, events, and its deployments' progress (traffic steps, hooks,
// alarms) while they run. Both are drawn again when the deploy feed pushes a change of theirs.
import { get } from '../api.js';
import { onDeployChange } from '../deploy-feed.js';
import { clear, enc, formatAge, h, link } from '../dom.js';
import type { DeploymentView, StackRow, StackView } from '../stack-shapes.js';

/** CloudFormation's statuses by their ending: in progress, complete, failed; a completed rollback is a failure. */
function stackBadge(status: string): HTMLElement {
  const tone = status.endsWith('_IN_PROGRESS') ? 'progress' : status.includes('ROLLBACK') || status.endsWith('_FAILED') ? 'failure' : status.endsWith('_COMPLETE') ? 'success' : 'neutral';
  const icon = tone === 'progress' ? '◔' : tone === 'success' ? '✔' : tone === 'failure' ? '✖' : '○';
  return h('span', { class: `badge tone-${tone}`, 'data-role': 'stack-status', 'data-status': status }, h('span', { class: 'icon' }, icon), ` ${status}`);
}

function deploymentBadge(status: string): HTMLElement {
  const tone = status === 'Succeeded' ? 'success' : status === 'Failed' ? 'failure' : status === 'Stopped' ? 'stopped' : status === 'Ready' || status === 'Baking' ? 'waiting' : 'progress';
  return h('span', { class: `badge tone-${tone}`, 'data-role': 'deployment-status', 'data-status': status }, status);
}

export function stacksPage(root: HTMLElement): () => void {
  const load = async () => {
    const list = await get<StackRow[]>('/api/stacks');
    clear(root);
    root.append(h('div', { class: 'page-head' }, h('h1', {}, 'Stacks')));
    root.append(list.length === 0 ? h('p', { class: 'muted' }, 'No stack deployed (pipe deploy TEMPLATE --stack-name NAME).') : h('table', { class: 'list', id: 'stacks' },
      h('thead', {}, h('tr', {}, ...['Stack name', 'Status', 'Description', 'Resources', 'Updated'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...list.map((s) => h('tr', { 'data-stack': s.name },
        h('td', {}, link(`/stack/${enc(s.name)}`, s.name)), h('td', {}, stackBadge(s.status), s.statusReason ? h('div', { class: 'muted' }, s.statusReason) : null),
        h('td', {}, s.description ?? ''), h('td', {}, String(s.resources)), h('td', {}, formatAge(s.updatedAt)))))));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const off = onDeployChange((m) => {
    if (m.kind !== 'stack') return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 50);
  });
  void load();
  return () => {
    off();
    clearTimeout(timer);
  };
}

/**
 * Each alarm's state as the deployment last evaluated it on the metrics (CloudWatch's OK / ALARM / INSUFFICIENT_DATA,
 * with its reason as a title); one in ALARM stops the deployment (ALARM_ACTIVE).
 */
function alarmStates(d: DeploymentView): (HTMLElement | string)[] {
  if (d.alarmStates.length === 0) return ['none'];
  const tone = (s: string) => (s === 'OK' ? 'success' : s === 'ALARM' ? 'failure' : 'neutral');
  const icon = (s: string) => (s === 'OK' ? '✔' : s === 'ALARM' ? '✖' : '?');
  const badges = d.alarmStates.map((a) => h('span', { class: 'alarm', 'data-alarm': a.name, 'data-state': a.state, title: a.reason },
    `${a.name} `, h('span', { class: `badge tone-${tone(a.state)}` }, h('span', { class: 'icon' }, icon(a.state)), ` ${a.state}`), ' '));
  const watched = d.completedAt === undefined ? 'watched while traffic moves' : 'as last evaluated';
  return [...badges, h('span', { class: 'muted' }, d.errorCode === 'ALARM_ACTIVE' ? 'the deployment stopped on an alarm' : watched)];
}

function progress(d: DeploymentView): HTMLElement {
  const pct = Math.round(d.weight * 100);
  return h('section', { class: 'deployment', 'data-deployment': d.deploymentId, 'data-status': d.status },
    h('h3', {}, `${d.deploymentId} · ${d.functionName}:${d.alias} · ${d.deploymentType} · v${d.currentVersion} → v${d.targetVersion} `, deploymentBadge(d.status)),
    h('div', { class: 'weights', 'data-role': 'traffic', 'data-weight': String(pct) },
      pct < 100 ? h('span', { class: 'weight w0', style: `width:${100 - pct}%` }, `v${d.currentVersion} ${100 - pct}%`) : null,
      pct > 0 ? h('span', { class: 'weight w1', style: `width:${pct}%` }, `v${d.targetVersion} ${pct}%`) : null),
    h('table', { class: 'list steps' }, h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Traffic to the new version'), h('th', {}, 'At minute'), h('th', {}, 'Done'))),
      h('tbody', {}, ...d.steps.map((s) => h('tr', { 'data-step': String(s.seq), 'data-done': s.at !== undefined ? 'yes' : 'no' },
        h('td', {}, String(s.seq)), h('td', {}, `${Math.round(s.weight * 100)}%`), h('td', {}, String(s.plannedMinutes)), h('td', {}, s.at !== undefined ? `✔ ${new Date(s.at).toLocaleTimeString()}` : '…'))))),
    h('table', { class: 'kv' }, h('tbody', {},
      ...d.lifecycleEvents.map((e) => h('tr', { 'data-hook': e.name }, h('th', {}, e.name), h('td', {}, `${e.status}${e.hookFunction ? ` (${e.hookFunction})` : ''}${e.message ? `: ${e.message}` : ''}`))),
      h('tr', {}, h('th', {}, 'Alarms'), h('td', { 'data-role': 'alarms' }, ...alarmStates(d))),
      d.reason ? h('tr', {}, h('th', {}, 'Reason'), h('td', {}, d.reason)) : null)));
}

export function stackPage(root: HTMLElement, name: string): () => void {
  let view: StackView | undefined;
  const draw = () => {
    if (!view) return;
    const v = view;
    clear(root);
    root.append(
      h('div', { class: 'page-head' }, h('h1', {}, link('/stacks', 'Stacks'), ' · ', v.stack.name, ' ', stackBadge(v.stack.status)),
        v.stack.statusReason ? h('div', { class: 'muted' }, v.stack.statusReason) : null),
      h('h2', {}, 'Deployments'),
      v.deployments.length === 0 ? h('p', { class: 'muted' }, 'No traffic shift yet.') : h('div', { id: 'deployments' }, ...v.deployments.map(progress)),
      h('h2', {}, 'Resources'),
      h('table', { class: 'list', id: 'resources' }, h('thead', {}, h('tr', {}, ...['Logical ID', 'Physical ID', 'Type', 'Status'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...v.resources.map((r) => h('tr', { 'data-resource': r.logicalId },
          h('td', {}, r.logicalId), h('td', {}, h('code', {}, r.physicalId ?? '')), h('td', {}, r.type), h('td', {}, stackBadge(r.status), r.statusReason ? ` ${r.statusReason}` : ''))))),
      h('h2', {}, 'Outputs'),
      v.outputs.length === 0 ? h('p', { class: 'muted' }, 'No outputs.') : h('table', { class: 'list', id: 'outputs' }, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, 'Description'))),
        h('tbody', {}, ...v.outputs.map((o) => h('tr', { 'data-output': o.OutputKey }, h('td', {}, o.OutputKey), h('td', {}, h('code', {}, o.OutputValue)), h('td', {}, o.Description ?? ''))))),
      h('h2', {}, 'Events'),
      h('table', { class: 'list', id: 'stack-events' }, h('thead', {}, h('tr', {}, ...['Timestamp', 'Logical ID', 'Status', 'Reason'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...v.events.map((e) => h('tr', {}, h('td', {}, new Date(e.Timestamp).toLocaleTimeString()), h('td', {}, e.LogicalResourceId), h('td', {}, stackBadge(e.ResourceStatus)), h('td', {}, e.ResourceStatusReason ?? ''))))),
    );
  };
  const load = async () => {
    view = await get<StackView>(`/api/stacks/${enc(name)}`);
    draw();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const off = onDeployChange((m) => {
    if ((m.kind === 'stack' || m.kind === 'stack-event') && m.name === name) {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 50);
    } else if (m.kind === 'deployment' && m.deployment.stackName === name && view) {
      // A deployment's progress is drawn from what was pushed; a new one (not yet listed) reads the stack again.
      const i = view.deployments.findIndex((d) => d.deploymentId === m.deployment.deploymentId);
      if (i < 0) void load();
      else {
        view.deployments[i] = m.deployment;
        draw();
      }
    }
  });
  void load();
  return () => {
    off();
    clearTimeout(timer);
  };
}
