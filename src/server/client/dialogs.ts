// The console's dialogs, outside the page so a live refresh never wipes what a person types: review an approval
// (summary, Approve / Reject), stop an execution (wait or abandon), release a change (variable overrides).
import { act, post } from './api.js';
import { enc, h } from './dom.js';

function open(title: string, body: HTMLElement[], buttons: { text: string; cls?: string; run: (form: HTMLFormElement) => Promise<boolean> }[]): HTMLDialogElement {
  const form = h('form', { method: 'dialog', class: 'dialog-form' });
  const dialog = h('dialog', { class: 'dialog' }, h('h2', {}, title), form);
  form.append(...body);
  const row = h('div', { class: 'buttons' });
  for (const b of buttons) {
    row.append(h('button', { type: 'button', class: b.cls ?? 'btn', onclick: async () => {
      if (await b.run(form)) dialog.close();
    } }, b.text));
  }
  row.append(h('button', { type: 'button', class: 'btn ghost', onclick: () => dialog.close() }, 'Cancel'));
  form.append(row);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

const value = (form: HTMLFormElement, name: string): string => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';

export function reviewApproval(executionId: string, stage: string, action: string, customData?: string): void {
  const answer = (approve: boolean) => (form: HTMLFormElement) =>
    act(() => post(`/api/executions/${enc(executionId)}/approval`, { action: `${stage}.${action}`, approve, summary: value(form, 'summary') }));
  open(`Review ${stage}.${action}`, [
    ...(customData ? [h('p', { class: 'custom-data' }, customData)] : []),
    h('p', {}, `Execution ${executionId}`),
    h('label', {}, 'Comments', h('textarea', { name: 'summary', rows: 3, maxlength: 512 })),
  ], [
    { text: 'Approve', cls: 'btn success', run: answer(true) },
    { text: 'Reject', cls: 'btn danger', run: answer(false) },
  ]);
}

export function stopDialog(executionId: string): void {
  const stop = (abandon: boolean) => (form: HTMLFormElement) =>
    act(() => post(`/api/executions/${enc(executionId)}/stop`, { abandon, reason: value(form, 'reason') || undefined }));
  open(`Stop execution ${executionId.slice(0, 8)}`, [
    h('p', {}, 'Stop and wait lets running actions finish; Stop and abandon abandons them now.'),
    h('label', {}, 'Reason', h('input', { name: 'reason', type: 'text', maxlength: 200 })),
  ], [
    { text: 'Stop and wait', cls: 'btn danger', run: stop(false) },
    { text: 'Stop and abandon', cls: 'btn danger', run: stop(true) },
  ]);
}

export function releaseDialog(pipeline: string, variables: { name: string; default?: string; description?: string }[], onStarted: (id: string) => void): void {
  open(`Release change: ${pipeline}`, [
    h('p', {}, 'Starts a new execution of the pipeline with its latest source revisions.'),
    ...variables.map((v) => h('label', {}, v.name, h('input', { name: `var:${v.name}`, type: 'text', value: v.default ?? '', title: v.description ?? '' }))),
  ], [
    {
      text: 'Release',
      cls: 'btn primary',
      run: (form) => act(async () => {
        const vars = Object.fromEntries(variables.map((v) => [v.name, value(form, `var:${v.name}`)]));
        const r = await post<{ executionId: string }>(`/api/pipelines/${enc(pipeline)}/release`, { variables: vars });
        onStarted(r.executionId);
      }),
    },
  ]);
}

export function disableTransitionDialog(pipeline: string, stage: string): void {
  open(`Disable transition into ${stage}`, [h('label', {}, 'Reason', h('input', { name: 'reason', type: 'text', maxlength: 300, required: true }))], [
    { text: 'Disable', cls: 'btn danger', run: (form) => act(() => post(`/api/pipelines/${enc(pipeline)}/transitions/${enc(stage)}`, { enable: false, reason: value(form, 'reason') })) },
  ]);
}
